package partnercentral

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// WriteLimiter paces a connection's write calls. Partner Central allows each
// partner account one write a second; every worker process writing for the
// same connection must share one limiter, or together they exceed it.
type WriteLimiter interface {
	// Wait blocks until the connection named key may make one more write
	// call, and returns early with ctx's error when ctx ends.
	Wait(ctx context.Context, key string) error
}

// RedisLimiter is a token bucket per connection kept in Redis, so that every
// process shares it. The bucket is stored as its theoretical arrival time
// (the generic cell rate algorithm, which is a token bucket written as one
// number): a write may go when the bucket is at most Burst-1 intervals
// ahead of now. The script reads Redis's own clock, so workers whose clocks
// differ still agree.
type RedisLimiter struct {
	rdb      redis.Scripter
	prefix   string
	interval time.Duration
	burst    int
}

// RedisLimiterOptions tune a RedisLimiter.
type RedisLimiterOptions struct {
	// Prefix starts every key, "cloudroute:ace:limit:" by default.
	Prefix string
	// Interval is the time one write uses up: DefaultWriteInterval by
	// default.
	Interval time.Duration
	// Burst is how many writes may go at once after a quiet spell, 1 by
	// default.
	Burst int
}

// DefaultWriteInterval is Partner Central's write quota, one write a second,
// plus a tenth: the limiter's clock and the service's see a write at
// slightly different times, and a write paced at exactly one second could
// reach the service a few milliseconds early and be throttled.
const DefaultWriteInterval = 1100 * time.Millisecond

// NewRedisLimiter returns a limiter on rdb.
func NewRedisLimiter(rdb redis.Scripter, opts RedisLimiterOptions) *RedisLimiter {
	if opts.Prefix == "" {
		opts.Prefix = "cloudroute:ace:limit:"
	}
	if opts.Interval <= 0 {
		opts.Interval = DefaultWriteInterval
	}
	if opts.Burst <= 0 {
		opts.Burst = 1
	}
	return &RedisLimiter{rdb: rdb, prefix: opts.Prefix, interval: opts.Interval, burst: opts.Burst}
}

// gcra takes one token for KEYS[1] and returns 0, or the milliseconds to
// wait before trying again. ARGV: interval in ms, burst. Times are kept in
// milliseconds: Lua numbers print with 14 significant digits, which holds a
// millisecond timestamp exactly and a microsecond one not.
var gcra = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local allow_at = tat - (burst - 1) * interval
if now < allow_at then
  return allow_at - now
end
local new_tat = tat + interval
redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', new_tat - now + 1000)
return 0
`)

// Take tries to take a write token for key. It returns 0 when the write may
// go now, and otherwise how long to wait before trying again.
func (l *RedisLimiter) Take(ctx context.Context, key string) (time.Duration, error) {
	ms, err := gcra.Run(ctx, l.rdb, []string{l.prefix + key}, l.interval.Milliseconds(), l.burst).Int64()
	if err != nil {
		return 0, fmt.Errorf("partnercentral: write limiter: %w", err)
	}
	return time.Duration(ms) * time.Millisecond, nil
}

// Wait blocks until key may write. A Redis failure is returned, not
// ignored: writing unpaced could exceed the partner's quota for every
// connection at once.
func (l *RedisLimiter) Wait(ctx context.Context, key string) error {
	for {
		d, err := l.Take(ctx, key)
		if err != nil {
			return err
		}
		if d == 0 {
			return nil
		}
		if err := sleep(ctx, d); err != nil {
			return err
		}
	}
}
