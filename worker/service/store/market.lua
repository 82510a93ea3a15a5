-- Count postings' stated pay into the market, each once per window (store/market.py).
-- KEYS: the market index, then per posting: its seen key, its day bucket
-- ARGV: seen expiry ms (the window), today, then per posting: bin, bucket expiry (unix ms), index field
-- A posting is counted only when its seen key did not exist: republishing it in the window counts nothing.
-- Returns 0 (its reply is summed with the publish script's count of new postings in the same pipeline).
local index, ttl, day = KEYS[1], ARGV[1], ARGV[2]
for i = 0, (#KEYS - 1) / 2 - 1 do
  local seen, bucket = KEYS[2 + 2 * i], KEYS[3 + 2 * i]
  local a = 3 + 3 * i
  if redis.call('SET', seen, '1', 'NX', 'PX', ttl) then
    redis.call('BITFIELD', bucket, 'OVERFLOW', 'SAT', 'INCRBY', 'u16', '#' .. ARGV[a], 1)
    redis.call('PEXPIREAT', bucket, ARGV[a + 1])
    redis.call('HSET', index, ARGV[a + 2], day)
  end
end
return 0
