package partnercentral_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cloudroute/cloudroute/internal/acesim"
	pc "github.com/cloudroute/cloudroute/internal/partnercentral"
	"github.com/cloudroute/cloudroute/internal/testenv"
)

// redisDB is this package's Redis database (see testenv.MustRedis).
const redisDB = 7

func TestRedisLimiterGivesOneWriteASecondPerConnection(t *testing.T) {
	rdb := testenv.MustRedis(t, redisDB)
	// Two limiters on one Redis stand for two worker processes.
	a := pc.NewRedisLimiter(rdb, pc.RedisLimiterOptions{})
	b := pc.NewRedisLimiter(rdb, pc.RedisLimiterOptions{})

	wait, err := a.Take(ctx(t), "conn-1")
	if err != nil || wait != 0 {
		t.Fatalf("first write: wait %v, err %v; want 0", wait, err)
	}
	wait, err = b.Take(ctx(t), "conn-1")
	if err != nil {
		t.Fatal(err)
	}
	if wait <= 0 || wait > pc.DefaultWriteInterval {
		t.Errorf("second write of the same connection from another process: wait %v, want in (0, 1.1s]", wait)
	}
	if wait, _ := b.Take(ctx(t), "conn-2"); wait != 0 {
		t.Errorf("another connection waited %v, want 0: connections have their own budget", wait)
	}
	// Wait blocks until the token is there, then takes it.
	if err := b.Wait(ctx(t), "conn-1"); err != nil {
		t.Fatal(err)
	}
	if wait, _ := a.Take(ctx(t), "conn-1"); wait <= 0 {
		t.Errorf("after Wait took the token, another write could go at once")
	}
}

func TestRedisLimiterBurst(t *testing.T) {
	rdb := testenv.MustRedis(t, redisDB)
	l := pc.NewRedisLimiter(rdb, pc.RedisLimiterOptions{Interval: time.Minute, Burst: 3, Prefix: "test:burst:"})
	for i := range 3 {
		if wait, err := l.Take(ctx(t), "k"); err != nil || wait != 0 {
			t.Fatalf("write %d of a burst of 3: wait %v, err %v", i+1, wait, err)
		}
	}
	if wait, _ := l.Take(ctx(t), "k"); wait < 59*time.Second {
		t.Errorf("the fourth write waits %v, want about a minute", wait)
	}
	if n, _ := rdb.Exists(ctx(t), "test:burst:k").Result(); n != 1 {
		t.Errorf("the bucket is not under its prefix")
	}
}

// With the shared limiter, the sync's writes keep to the service's quota:
// the simulator enforces one write a second and throttles nothing.
func TestClientWritesPacedByTheLimiter(t *testing.T) {
	rdb := testenv.MustRedis(t, redisDB)
	s, url := sim(t, acesim.Options{WriteInterval: time.Second})
	limiter := pc.NewRedisLimiter(rdb, pc.RedisLimiterOptions{})
	c, logs := client(t, url, func(cfg *pc.Config) {
		cfg.Limiter, cfg.LimiterKey = limiter, "partner-1/Sandbox"
		cfg.Retry = pc.RetryPolicy{MaxAttempts: 1}
	})
	for _, token := range []string{"rec-l1", "rec-l2"} {
		if _, err := c.CreateOpportunity(ctx(t), validCreate(token)); err != nil {
			t.Fatalf("paced write: %v", err)
		}
	}
	if strings.Contains(logs.String(), "429") {
		t.Errorf("a paced write was throttled:\n%s", logs)
	}
	if n := len(s.Opportunities()); n != 2 {
		t.Errorf("%d opportunities, want 2", n)
	}
	// Reads are not paced by the write limiter.
	if _, err := c.ListOpportunities(ctx(t), pc.ListOpportunitiesRequest{Catalog: pc.CatalogSandbox}); err != nil {
		t.Fatal(err)
	}
}

func TestNewRequiresALimiterKey(t *testing.T) {
	rdb := testenv.MustRedis(t, redisDB)
	_, err := pc.New(pc.Config{
		Credentials: pc.StaticCredentials("a", "b", ""),
		Limiter:     pc.NewRedisLimiter(rdb, pc.RedisLimiterOptions{}),
	})
	if err == nil {
		t.Error("a limiter without a key was accepted")
	}
}
