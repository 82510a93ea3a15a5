-- Count postings' stated pay into the market, each once per window (store/market.py).
-- KEYS: the market index, then per posting: its seen key, its day bucket
-- ARGV: seen expiry ms (the window), today, then per posting: bin, bucket expiry (unix ms), index field
-- A posting is counted only when its seen key did not exist: republishing it in the window counts nothing.
-- A bucket is a big-endian u16 per bin, up to the highest bin counted, each count saturating at 65,535. It is
-- rewritten with SET rather than grown with BITFIELD or SETRANGE: those allocate up to twice the length they need,
-- SET allocates the string's own length.
-- Returns 0 (its reply is summed with the publish script's count of new postings in the same pipeline).
local index, ttl, day = KEYS[1], ARGV[1], ARGV[2]
for i = 0, (#KEYS - 1) / 2 - 1 do
  local seen, bucket = KEYS[2 + 2 * i], KEYS[3 + 2 * i]
  local a = 3 + 3 * i
  if redis.call('SET', seen, '1', 'NX', 'PX', ttl) then
    local at = 2 * tonumber(ARGV[a])
    local data = redis.call('GET', bucket) or ''
    if #data < at + 2 then
      data = data .. string.rep('\0', at + 2 - #data)
    end
    local high, low = string.byte(data, at + 1, at + 2)
    local n = math.min(high * 256 + low + 1, 65535)
    data = string.sub(data, 1, at) .. string.char(math.floor(n / 256), n % 256) .. string.sub(data, at + 3)
    redis.call('SET', bucket, data)
    redis.call('PEXPIREAT', bucket, ARGV[a + 1])
    redis.call('HSET', index, ARGV[a + 2], day)
  end
end
return 0
