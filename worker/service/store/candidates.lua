-- The cards of roles' current postings, for recommendations: one call instead of a round trip per role.
-- ARGV: ranking key prefix of the model version, card key prefix of the model version, the card size in bytes,
--       then per role: its slug and how many of its best postings
-- Returns the cards concatenated (one string: a reply of thousands of small strings costs more to build and to
-- parse), then the ids of the postings they belong to, in the same order: by role in the order given and by
-- score within a role. Postings whose card is gone (the result expired) or is of another size are left out.
local cards, ids = {}, {}
local size = tonumber(ARGV[3])
for r = 4, #ARGV, 2 do
  local ranked = redis.call('ZREVRANGE', ARGV[1] .. ARGV[r], 0, tonumber(ARGV[r + 1]) - 1)
  if #ranked > 0 then
    local keys = {}
    for i = 1, #ranked do keys[i] = ARGV[2] .. ranked[i] end
    local found = redis.call('MGET', unpack(keys))
    for i = 1, #ranked do
      local card = found[i]
      if card and #card == size then
        cards[#cards + 1] = card
        ids[#ids + 1] = ranked[i]
      end
    end
  end
end
table.insert(ids, 1, table.concat(cards))
return ids
