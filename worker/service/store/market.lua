-- Count postings' stated pay into the market, each once per window (store/market.py).
-- KEYS: the market index, then per posting: its seen key, its day bucket
-- ARGV: seen expiry ms (the window), today, then per posting: bin, bucket expiry (unix ms), index field
-- A posting is counted only when its seen key did not exist: republishing it in the window counts nothing.
-- A bucket (matching/market.py, PayHistogram.to_bytes) is big-endian u16s: the first bin in use, then the counts
-- from it to the last bin in use, each saturating at 65,535. It is rewritten with SET rather than grown in place
-- (SETRANGE, BITFIELD): those allocate up to twice the length they need, SET allocates the string's own length.
-- Returns 0 (its reply is summed with the publish script's count of new postings in the same pipeline).
local index, ttl, day = KEYS[1], ARGV[1], ARGV[2]
local function u16(n)
  return string.char(math.floor(n / 256), n % 256)
end
for i = 0, (#KEYS - 1) / 2 - 1 do
  local seen, bucket = KEYS[2 + 2 * i], KEYS[3 + 2 * i]
  local a = 3 + 3 * i
  if redis.call('SET', seen, '1', 'NX', 'PX', ttl) then
    local bin = tonumber(ARGV[a])
    local data = redis.call('GET', bucket)
    local first, counts = bin, ''
    if data and #data >= 2 then
      local high, low = string.byte(data, 1, 2)
      first, counts = high * 256 + low, string.sub(data, 3)
    end
    if bin < first then
      counts = string.rep('\0', 2 * (first - bin)) .. counts
      first = bin
    end
    local at = 2 * (bin - first)
    if #counts < at + 2 then
      counts = counts .. string.rep('\0', at + 2 - #counts)
    end
    local high, low = string.byte(counts, at + 1, at + 2)
    local n = math.min(high * 256 + low + 1, 65535)
    redis.call('SET', bucket, u16(first) .. string.sub(counts, 1, at) .. u16(n) .. string.sub(counts, at + 3))
    redis.call('PEXPIREAT', bucket, ARGV[a + 1])
    redis.call('HSET', index, ARGV[a + 2], day)
  end
end
return 0
