-- A rejection without a posting id (a line that is not JSON): recorded once per delivery token.
-- KEYS: seen marker, dead-letter stream. ARGV: ttl ms, maxlen, error, origin, payload, model version
if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'id', '', 'error', ARGV[3],
             'origin', ARGV[4], 'payload', ARGV[5], 'model_version', ARGV[6])
  return 1
end
return 0
