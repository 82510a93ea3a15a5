-- The cards of a role's current postings, for recommendations: one call instead of a round trip per role.
-- ARGV: ranking key prefix of the model version, card key prefix of the model version, how many per role,
--       then the roles (slugs)
-- Returns id, card, id, card, ... by role in the order given and by score within a role; postings whose
-- card is gone (the result expired, or was published without one) are left out.
local out = {}
local count = tonumber(ARGV[3])
for r = 4, #ARGV do
  local ids = redis.call('ZREVRANGE', ARGV[1] .. ARGV[r], 0, count - 1)
  if #ids > 0 then
    local keys = {}
    for i = 1, #ids do keys[i] = ARGV[2] .. ids[i] end
    local cards = redis.call('MGET', unpack(keys))
    for i = 1, #ids do
      if cards[i] then
        out[#out + 1] = ids[i]
        out[#out + 1] = cards[i]
      end
    end
  end
end
return out
