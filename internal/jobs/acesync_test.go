package jobs_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/hibiken/asynq"

	"github.com/cloudroute/cloudroute/internal/aceconnect"
	"github.com/cloudroute/cloudroute/internal/jobs"
	"github.com/cloudroute/cloudroute/internal/tasks"
	"github.com/cloudroute/cloudroute/internal/testenv"
)

// TestACEPollOncePerPeriod: the poll of every connection runs once per
// minute however many schedulers enqueue it; a poll asked for outside the
// schedule (no period) always runs.
func TestACEPollOncePerPeriod(t *testing.T) {
	db := openTestDB(t)
	rdb := testenv.MustRedis(t, redisDB)
	conn, err := aceconnect.New(aceconnect.Options{SecretKey: bytes.Repeat([]byte{1}, 32), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	syncer := &aceconnect.Syncer{DB: db.DB, Conn: conn, Log: quiet}
	ctx := context.Background()
	for i, want := range []bool{true, false} {
		ran, err := syncer.PollAll(ctx, "2026-12-07T10:00")
		if err != nil || ran != want {
			t.Fatalf("poll %d of the period: ran %v, %v; want %v", i+1, ran, err, want)
		}
	}
	if ran, err := syncer.PollAll(ctx, "2026-12-07T10:01"); err != nil || !ran {
		t.Fatalf("the next minute: ran %v, %v", ran, err)
	}
	if ran, err := syncer.PollAll(ctx, ""); err != nil || !ran {
		t.Fatalf("a poll without a period: ran %v, %v", ran, err)
	}
	// Without a connector, the sync's tasks do nothing.
	w := jobs.NewWorker(db.DB, rdb, quiet, nil, jobs.Options{})
	for _, task := range []*asynq.Task{asynq.NewTask(tasks.TypeACEPoll, []byte(`{}`)),
		asynq.NewTask(tasks.TypeACEPush, []byte(`{"ace_record_id":"00000000-0000-4000-8000-000000000000"}`)),
		asynq.NewTask(tasks.TypeACEPull, []byte(`{"connection_id":"00000000-0000-4000-8000-000000000000"}`))} {
		if err := w.Mux().ProcessTask(ctx, task); err != nil {
			t.Errorf("%s without a connector: %v", task.Type(), err)
		}
	}
}
