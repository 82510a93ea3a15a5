-- Up to PUBLISH_GROUP postings of one model version per call, in order (each sees the ones before it).
-- KEYS: results stream, dead-letter stream, models, then per posting: result, published, ranking (of its new role)
-- ARGV: model version, ttl ms, results maxlen, dead-letter maxlen, ranking size, ranking key prefix of this model
--       version, now, card key prefix of this model version, then per posting: id, result JSON, digest, status,
--       role, score, error, payload, origin, replace (1|0), card (empty: none)
-- A matched posting's card (recommendations) is set and expires with its result; any other status removes it.
-- replace 0 (a posting given up on): when this model version already published a result for the id (another
-- delivery of the task classified it), that result stays and the failure only goes to the dead-letter stream.
-- Rankings touched are trimmed to the ranking size (and their expiry renewed) once per call, not per posting.
-- Returns how many postings were published anew.
local model, ttl, size = ARGV[1], ARGV[2], tonumber(ARGV[5])
local new, touched = 0, {}
for i = 0, (#KEYS - 3) / 3 - 1 do
  local result, published, ranking = KEYS[4 + 3 * i], KEYS[5 + 3 * i], KEYS[6 + 3 * i]
  local a = 8 + 11 * i
  local id, json, digest, status, role = ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4], ARGV[a + 5]
  local old = redis.call('HMGET', published, 'digest', 'model', 'role')
  if old[1] == digest then
    redis.call('PEXPIRE', result, ttl)
    redis.call('PEXPIRE', published, ttl)
    redis.call('PEXPIRE', ARGV[8] .. id, ttl)
  elseif ARGV[a + 10] == '0' and old[2] == model then
    redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*', 'id', id, 'error', ARGV[a + 7],
               'origin', ARGV[a + 9], 'payload', ARGV[a + 8], 'model_version', model)
  else
    if old[2] == model and old[3] and old[3] ~= '' and old[3] ~= role then
      redis.call('ZREM', ARGV[6] .. old[3], id)
    end
    redis.call('SET', result, json, 'PX', ttl)
    if status == 'matched' and ARGV[a + 11] ~= '' then
      redis.call('SET', ARGV[8] .. id, ARGV[a + 11], 'PX', ttl)
    else
      redis.call('DEL', ARGV[8] .. id)
    end
    redis.call('HSET', published, 'digest', digest, 'model', model, 'role', role)
    redis.call('PEXPIRE', published, ttl)
    redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', 'id', id, 'status', status, 'result', json)
    if status == 'matched' then
      redis.call('ZADD', ranking, ARGV[a + 6], id)
      touched[ranking] = true
    elseif status == 'rejected' then
      redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*', 'id', id, 'error', ARGV[a + 7],
                 'origin', ARGV[a + 9], 'payload', ARGV[a + 8], 'model_version', model)
    end
    new = new + 1
  end
end
for ranking in pairs(touched) do
  if redis.call('ZCARD', ranking) > size then
    redis.call('ZREMRANGEBYRANK', ranking, 0, -(size + 1))
  end
  redis.call('PEXPIRE', ranking, ttl)
end
if new > 0 then
  redis.call('HSET', KEYS[3], model, ARGV[7])
end
return new
