package redisbudget

import "github.com/redis/go-redis/v9"

// The budget of one credential is one hash:
//
//	end    the end of the current window, in milliseconds on the Redis server's clock
//	left   the requests left in it; -1: none is counted (the provider reports no budget
//	       and none is published)
//	probe  while no window is known: until when the request probing for it holds the
//	       others back
//
// Every script reads the time with TIME, so that the Redis server's clock is the only
// one compared, and sets the hash to expire shortly after what it holds ends.

// now is the Redis server's time in milliseconds.
const now = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local s = redis.call('HMGET', KEYS[1], 'end', 'left', 'probe')
local wend, left, probe = tonumber(s[1]), tonumber(s[2]), tonumber(s[3])
`

// reserveScript takes one request. ARGV: probe lease, poll (ms). It returns 0 when the
// request may go, else the milliseconds to wait before asking again.
var reserveScript = redis.NewScript(now + `
if wend and now < wend then
  if left < 0 then return 0 end
  if left > 0 then
    redis.call('HINCRBY', KEYS[1], 'left', -1)
    return 0
  end
  return wend - now
end
if probe and now < probe then
  return math.max(math.min(probe - now, tonumber(ARGV[2])), 1)
end
local lease = tonumber(ARGV[1])
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'probe', now + lease)
redis.call('PEXPIRE', KEYS[1], lease + 1000)
return 0
`)

// releaseScript gives a request back: to the current window, or, while no window is
// known, by ending the probe it was.
var releaseScript = redis.NewScript(now + `
if wend and now < wend then
  if left >= 0 then redis.call('HINCRBY', KEYS[1], 'left', 1) end
elseif probe then
  redis.call('HDEL', KEYS[1], 'probe')
end
return 0
`)

// observeScript records what a response reported. ARGV: the published limit and
// window (ms; 0 unknown), the remaining count and the milliseconds until the reset
// (-1 unknown).
var observeScript = redis.NewScript(now + `
local limit, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local remaining, resetIn = tonumber(ARGV[3]), tonumber(ARGV[4])
local obsEnd = nil
if resetIn >= 0 then obsEnd = now + resetIn end
if wend and now < wend and (left >= 0 or remaining < 0) then
  -- A known window: the provider's count wins when it is lower (someone else spends
  -- the budget too); when it says the budget is spent until later, everyone waits.
  -- A report of the previous window, which ended a moment ago by the end it names,
  -- changes nothing.
  if remaining >= 0 and remaining < left and not (obsEnd and window > 0 and obsEnd < wend - window / 2) then
    if remaining == 0 and obsEnd and obsEnd > wend then
      redis.call('HSET', KEYS[1], 'end', obsEnd)
      redis.call('PEXPIRE', KEYS[1], obsEnd - now + 1000)
    end
    redis.call('HSET', KEYS[1], 'left', remaining)
  end
  return 0
end
-- No window known: this response (the probe's) starts one, from what the provider
-- reported, else from the published budget, else uncounted.
local e, l
if remaining >= 0 then
  if obsEnd then e = obsEnd elseif window > 0 then e = now + window else e = now + 60000 end
  l = remaining
elseif limit > 0 and window > 0 then
  e, l = now + window, limit - 1
else
  if window > 0 then e = now + window else e = now + 60000 end
  l = -1
end
if e <= now then
  redis.call('HDEL', KEYS[1], 'probe')
  return 0
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'end', e, 'left', l)
redis.call('PEXPIRE', KEYS[1], e - now + 1000)
return 0
`)
