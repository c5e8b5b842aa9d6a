package api

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/cloudroute/cloudroute/internal/domain"
)

// RateLimiter is a fixed-window counter per client IP, kept in Redis so
// that every API process shares it. When Redis is unreachable it fails
// open: intakes keep flowing (the outbox holds their jobs), and the miss is
// logged and counted.
type RateLimiter struct {
	rdb      *redis.Client
	limit    int
	window   time.Duration
	log      *slog.Logger
	failOpen prometheus.Counter
}

// NewRateLimiter allows limit requests per window per key.
func NewRateLimiter(rdb *redis.Client, limit int, window time.Duration, log *slog.Logger) *RateLimiter {
	return &RateLimiter{rdb: rdb, limit: limit, window: window, log: log,
		failOpen: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "cloudroute_rate_limiter_fail_open_total",
			Help: "Requests let through because the rate limiter's Redis was unreachable.",
		})}
}

var incrScript = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('PTTL', KEYS[1])}`)

// Allow counts one request for key and says whether it is within the limit
// and, if not, how long until the window resets.
func (l *RateLimiter) Allow(ctx context.Context, key string) (bool, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, 250*time.Millisecond)
	defer cancel()
	slot := time.Now().UnixMilli() / l.window.Milliseconds()
	k := "cloudroute:rl:" + key + ":" + strconv.FormatInt(slot, 10)
	res, err := incrScript.Run(ctx, l.rdb, []string{k}, l.window.Milliseconds()).Int64Slice()
	if err != nil {
		return true, 0, err
	}
	if int(res[0]) <= l.limit {
		return true, 0, nil
	}
	// The count resets when the fixed slot ends.
	return false, l.window - time.Duration(time.Now().UnixMilli()%l.window.Milliseconds())*time.Millisecond, nil
}

// limit is the middleware form, keyed by the client IP that gin derives
// from the TCP peer or, only behind a trusted proxy, X-Forwarded-For.
func (l *RateLimiter) limitByIP(scope string) gin.HandlerFunc {
	return func(c *gin.Context) {
		ok, wait, err := l.Allow(c.Request.Context(), scope+":"+c.ClientIP())
		if err != nil {
			l.failOpen.Inc()
			logFrom(c).Warn("rate limiter unavailable; failing open", "err", err.Error())
		}
		if !ok {
			rateLimited(c, wait)
			return
		}
		c.Next()
	}
}

// rateLimited answers 429 with Retry-After in whole seconds.
func rateLimited(c *gin.Context, wait time.Duration) {
	secs := int((wait + time.Second - 1) / time.Second)
	if secs < 1 {
		secs = 1
	}
	c.Header("Retry-After", strconv.Itoa(secs))
	respondError(c, domain.Errorf(domain.ECodeRateLimited, "too many requests; retry after %d seconds", secs))
}

// with is a limiter of another limit and window on the same Redis, sharing
// the fail-open counter.
func (l *RateLimiter) with(limit int, window time.Duration) *RateLimiter {
	return &RateLimiter{rdb: l.rdb, limit: limit, window: window, log: l.log, failOpen: l.failOpen}
}
