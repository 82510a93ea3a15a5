-- A finished chunk of a `batch --via-queue` run, kept only while its input lines are (the client has not
-- collected it): a redelivered task finishing after the collection leaves nothing behind.
-- KEYS: chunk, lines, done list. ARGV: chunk (summary line + result lines), index, ttl seconds
if redis.call('EXISTS', KEYS[2]) == 0 then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
redis.call('RPUSH', KEYS[3], ARGV[2])
redis.call('EXPIRE', KEYS[3], ARGV[3])
return 1
