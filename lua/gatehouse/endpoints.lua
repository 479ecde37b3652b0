-- Gatehouse endpoint channel: upstream endpoints change without an nginx reload.
--
-- Static source shipped with Gatehouse (docs/controller.md, "Endpoint changes"); nothing in it
-- is generated. The controller writes one file (src/controller/endpoint-publisher.ts, format in
-- src/nginx/dynamic-upstreams.ts), replaced atomically by rename(2):
--   gatehouse-endpoints v1 <content hash>
--   <sha1 hex of an upstream name> <ipv4>:<port> [<ipv6>]:<port> ...
-- It holds no names: only hashes, IP literals and ports, each checked again here. Every worker
-- reads it when it starts and re-reads it when its first line changes (polled every POLL_S).
--
-- An upstream block calls one of the balance functions below (which one is a rendering decision:
-- the block's balancing kind). None known → no peer is set, and nginx uses the block's
-- placeholder server, a unix socket of this nginx answering 503. Locations whose protocol that
-- placeholder cannot answer (HTTPS, gRPC) call check() in their rewrite phase, which answers 503
-- first, as ingress-nginx's balancer.rewrite() does.
--
-- Values read from nginx variables (the upstream's name, a hash key, a cookie) are only hashed,
-- compared or used as table keys here; none is evaluated, and only endpoints of the file are
-- ever dialled.
-- https://github.com/openresty/lua-nginx-module#balancer_by_lua_block
-- https://github.com/openresty/lua-resty-core/blob/master/lib/ngx/balancer.md
local balancer = require("ngx.balancer")
local bit = require("bit")

local bxor, lshift, rshift = bit.bxor, bit.lshift, bit.rshift
local floor = math.floor

local _M = {}

local POLL_S = 0.1
local MAX_ENDPOINTS = 4096     -- per upstream; the ring encodes an endpoint's index in 12 bits
local MAX_UPSTREAMS = 262144   -- lines per file
local RING_POINTS = 160        -- per endpoint, as nginx's `hash … consistent` (ketama)
local ENV = "GATEHOUSE_ENDPOINTS_FILE"

local path = os.getenv(ENV)
local loaded_header
-- upstream key -> entry: { list = raw text, eps = { {host, port, token}, ... }, n, cursor,
-- ring (lazy), ids (lazy) }. An entry whose line did not change survives a reload of the file,
-- with its ring, ids and round-robin position.
local tables = {}
local active = {}   -- upstream key -> { token -> requests in flight } (least-conn, this worker)
local keys = {}     -- upstream name -> key (names come from nginx.conf only)

local function hex(bin)
  return (bin:gsub(".", function(c) return string.format("%02x", c:byte()) end))
end

-- One `address:port` token, or nil: IPv4 dotted quad or bracketed IPv6 only, port 1-65535.
local function endpoint(token)
  if #token > 64 then return nil end
  local host, port = token:match("^(%d+%.%d+%.%d+%.%d+):(%d+)$")
  if not host then
    host, port = token:match("^%[([%x:%.]+)%]:(%d+)$")
    if host then host = "[" .. host .. "]" end
  end
  port = tonumber(port)
  if not host or not port or port < 1 or port > 65535 then return nil end
  return { host, port, host .. ":" .. port }
end

local function entry_of(list)
  local eps, seen, skipped = {}, {}, 0
  for token in list:gmatch("%S+") do
    local ep = endpoint(token)
    if ep and #eps < MAX_ENDPOINTS and not seen[ep[3]] then
      eps[#eps + 1] = ep
      seen[ep[3]] = true
    else
      skipped = skipped + 1
    end
  end
  if skipped > 0 then ngx.log(ngx.WARN, "gatehouse endpoints: ", skipped, " entries skipped") end
  return { list = list, eps = eps, n = #eps, cursor = 0 }
end

local function parse(body)
  local t, count = {}, 0
  for line in body:gmatch("[^\n]+") do
    local key, list = line:match("^(%x+) ?(.*)$")
    if key and #key == 40 and count < MAX_UPSTREAMS then
      count = count + 1
      local old = tables[key]
      t[key] = (old and old.list == list) and old or entry_of(list)
    else
      ngx.log(ngx.WARN, "gatehouse endpoints: line skipped")
    end
  end
  return t
end

-- Re-reads the file when its first line (which carries a hash of the rest) changed.
-- A missing or unreadable file keeps what was loaded last.
local function refresh()
  if not path then return end
  local f = io.open(path, "r")
  if not f then return end
  local header = f:read("*l")
  if header == nil or header == loaded_header then
    f:close()
    return
  end
  if not header:match("^gatehouse%-endpoints v1 %x+$") then
    f:close()
    ngx.log(ngx.ERR, "gatehouse endpoints: not an endpoints file; keeping the last one")
    return
  end
  local body = f:read("*a")
  f:close()
  tables = parse(body or "")
  loaded_header = header
end

--- init_worker_by_lua: load now (before this worker takes requests), then poll.
function _M.init()
  if not path then
    ngx.log(ngx.ERR, "gatehouse endpoints: ", ENV, " is not set")
    return
  end
  refresh()
  local ok, err = ngx.timer.every(POLL_S, refresh)
  if not ok then ngx.log(ngx.ERR, "gatehouse endpoints: cannot poll: ", err) end
end

local function key_of(name)
  if not name or name == "" then return nil end
  local key = keys[name]
  if not key then
    key = hex(ngx.sha1_bin(name))
    keys[name] = key
  end
  return key
end

--- The entry (with at least one endpoint) and key of the upstream this request is balanced on.
-- $gh_upstream_name is $proxy_host, or for grpc_pass (which has none) $gh_upstream, which such
-- locations set (src/nginx/dynamic-upstreams.ts).
local function current()
  local key = key_of(ngx.var.gh_upstream_name)
  local e = key and tables[key]
  if not e or e.n == 0 then return nil end
  return e, key
end

local function use(ep, n)
  -- Retries (proxy_next_upstream) go round the other endpoints, as nginx does over servers.
  if n > 1 and not balancer.get_last_failure() then balancer.set_more_tries(n - 1) end
  local ok, err = balancer.set_current_peer(ep[1], ep[2])
  if not ok then
    ngx.log(ngx.ERR, "gatehouse endpoints: cannot use an endpoint: ", err)
    return ngx.exit(ngx.ERROR)
  end
end

local function next_round_robin(e)
  local i = e.cursor % e.n + 1
  e.cursor = i
  return e.eps[i]
end

-- The endpoints this request has tried already: $upstream_addr lists them ("a, b : c"; the
-- try being chosen has no address yet). Read on retries only.
local function tried_endpoints()
  local tried = {}
  for token in (ngx.var.upstream_addr or ""):gmatch("[^%s,]+") do tried[token] = true end
  return tried
end

-- The next endpoint in turn that this request has not tried, as nginx's round robin skips the
-- peers a request tried (other requests move the turn between its tries); any, if all were.
local function next_untried(e)
  local tried = tried_endpoints()
  for _ = 1, e.n do
    local ep = next_round_robin(e)
    if not tried[ep[3]] then return ep end
  end
  return next_round_robin(e)
end

--- balancer_by_lua: round robin (per worker, as nginx's without a `zone`).
function _M.balance()
  local e = current()
  if not e then return end -- the placeholder answers 503
  if balancer.get_last_failure() then return use(next_untried(e), e.n) end
  return use(next_round_robin(e), e.n)
end

-- Sorts ring values (below 2^44) by their point (the bits above the low 12): two stable
-- counting passes of 16 bits. table.sort takes ~1 s for the 655,360 points of 4,096 endpoints
-- (it is not compiled by LuaJIT); this takes ~0.15 s. Equal points keep their order of insertion,
-- which is by endpoint index, so the result is the numeric order.
local function radix_sort(a)
  local n, tmp, count = #a, {}, {}
  for pass = 0, 1 do
    local div = pass == 0 and MAX_ENDPOINTS or MAX_ENDPOINTS * 65536
    for d = 0, 65535 do count[d] = 0 end
    for i = 1, n do
      local d = floor(a[i] / div) % 65536
      count[d] = count[d] + 1
    end
    local sum = 1
    for d = 0, 65535 do
      local c = count[d]
      count[d] = sum
      sum = sum + c
    end
    for i = 1, n do
      local v = a[i]
      local d = floor(v / div) % 65536
      tmp[count[d]] = v
      count[d] = count[d] + 1
    end
    a, tmp = tmp, a
  end
  return a
end

-- The ring: RING_POINTS points per endpoint, each `point * 4096 + index` in one sorted array of
-- numbers (below 2^44, exact in a double). An endpoint's points are a xorshift32 sequence seeded
-- with the CRC32 of its `<ip>:<port>`: they depend on its address alone, so removing an endpoint
-- moves only the keys it held, and adding one takes ~1/n of the keys.
local function ring_of(e)
  if e.ring then return e.ring end
  local pts, k = {}, 0
  for i, ep in ipairs(e.eps) do
    local x = ngx.crc32_long(ep[3])
    if x == 0 then x = 1 end -- xorshift's one fixed point
    for _ = 1, RING_POINTS do
      x = bxor(x, lshift(x, 13))
      x = bxor(x, rshift(x, 17))
      x = bxor(x, lshift(x, 5))
      k = k + 1
      pts[k] = (x % 4294967296) * MAX_ENDPOINTS + (i - 1)
    end
  end
  if k < 20000 then table.sort(pts) else pts = radix_sort(pts) end
  e.ring = pts
  return pts
end

-- Index in the ring of the first point at or after the key's hash (wrapping round).
local function ring_position(pts, key)
  local target = ngx.crc32_long(key) * MAX_ENDPOINTS
  local lo, hi = 1, #pts
  if pts[hi] < target then return 1 end
  while lo < hi do
    local mid = floor((lo + hi) / 2)
    if pts[mid] < target then lo = mid + 1 else hi = mid end
  end
  return lo
end

-- The endpoint holding `key`; on a retry, the next other endpoint met going round the ring from
-- there (nginx's `hash … consistent` also walks on to the next points on failure). Retries keep
-- the walk in ngx.ctx, so all the tries of a request cost one turn of the ring at most; a first
-- try keeps nothing.
local function owner(pts, j)
  return pts[j] % MAX_ENDPOINTS + 1
end

local function consistent_hash(key)
  local e = current()
  if not e then return end
  local pts = ring_of(e)
  if not balancer.get_last_failure() then
    return use(e.eps[owner(pts, ring_position(pts, key or ""))], e.n)
  end
  local ctx = ngx.ctx
  local walk = ctx.gh_walk
  if not walk or walk.ring ~= pts then
    -- The first retry (or the endpoints changed since the last try): start at the key's point,
    -- whose endpoint failed.
    local j = ring_position(pts, key or "")
    walk = { ring = pts, j = j, seen = { [owner(pts, j)] = true } }
    ctx.gh_walk = walk
  end
  local j = walk.j
  for _ = 1, #pts do
    j = j % #pts + 1
    local index = owner(pts, j)
    if not walk.seen[index] then
      walk.seen[index] = true
      walk.j = j
      return use(e.eps[index], e.n)
    end
  end
  -- Every endpoint tried: no peer, the placeholder answers.
end

--- balancer_by_lua: consistent hash on $gh_hash_key (upstream-hash-by: nginx computes the key
-- from the escaped variables of the annotation, a map per upstream).
function _M.balance_hash()
  return consistent_hash(ngx.var.gh_hash_key)
end

--- balancer_by_lua: balanced cookie affinity, a consistent hash of $gh_affinity (the cookie, or
-- the fresh id a first request is given with its Set-Cookie).
function _M.balance_cookie()
  return consistent_hash(ngx.var.gh_affinity)
end

local function release(slot)
  if not slot or slot == "" then return end
  local key, token = slot:match("^(%x+) (%S+)$")
  local counts = key and active[key]
  local c = counts and counts[token]
  if not c then return end
  if c <= 1 then counts[token] = nil else counts[token] = c - 1 end
end

--- balancer_by_lua: the endpoint with the fewest requests in flight from this worker (ties in
-- turn). Counted here and released by log() at the end of the request; the slot travels in
-- $gh_lc_peer, which survives internal redirects (ngx.ctx does not).
function _M.balance_least_conn()
  local e, key = current()
  if not e then return end
  -- A try before this one (a retry, or an earlier upstream of this request) is over.
  local previous = ngx.var.gh_lc_peer
  release(previous)
  ngx.var.gh_lc_peer = ""
  local tried = balancer.get_last_failure() and tried_endpoints()
  local counts = active[key]
  if not counts then
    counts = {}
    active[key] = counts
  end
  local best, best_count
  for step = 1, e.n do
    local i = (e.cursor + step - 1) % e.n + 1
    local token = e.eps[i][3]
    if not (tried and tried[token]) then
      local c = counts[token] or 0
      if not best or c < best_count then best, best_count = i, c end
    end
  end
  if not best then return end
  e.cursor = best
  local ep = e.eps[best]
  counts[ep[3]] = best_count + 1
  ngx.var.gh_lc_peer = key .. " " .. ep[3]
  return use(ep, e.n)
end

--- log_by_lua (http level, rendered when a least-conn upstream exists): the request is over.
function _M.log()
  local slot = ngx.var.gh_lc_peer
  if slot and slot ~= "" then release(slot) end
end

-- Opaque endpoint ids: the first 16 hex digits of sha1("<upstream key>\0<ip>:<port>"), the same
-- as src/nginx/persistent-affinity.ts computes.
local function ids_of(e, key)
  if e.ids then return e.ids end
  local ids = {}
  for _, ep in ipairs(e.eps) do
    local id = hex(ngx.sha1_bin(key .. "\0" .. ep[3])):sub(1, 16)
    ids[id] = ep
    ep[4] = id
  end
  e.ids = ids
  return ids
end

--- balancer_by_lua: persistent cookie affinity. The cookie ($gh_pin_cookie, a map per upstream)
-- names an endpoint by its opaque id; an id that names no current endpoint (gone, or forged) is
-- balanced round robin like a first request, never dialled. $gh_pin_id tells the Set-Cookie map
-- which endpoint answered; after a failed try it is emptied, and the client's cookie left alone.
function _M.balance_persistent()
  local e, key = current()
  if not e then return end
  local ids = ids_of(e, key)
  if balancer.get_last_failure() then
    ngx.var.gh_pin_id = ""
    return use(next_untried(e), e.n)
  end
  local ep = ids[ngx.var.gh_pin_cookie or ""] or next_round_robin(e)
  ngx.var.gh_pin_id = ep[4]
  return use(ep, e.n)
end

--- rewrite_by_lua, in locations whose protocol the placeholder cannot answer (HTTPS, gRPC) or
-- whose custom error pages must see the 503: an upstream without endpoints answers 503 here, as
-- a location without endpoints does on the reload path (`return 503`), or goes to the location's
-- default backend ($gh_no_endpoints, a named location nginx.conf sets, checked for its shape).
function _M.check()
  local key = key_of(ngx.var.gh_upstream)
  local e = key and tables[key]
  if e and e.n > 0 then return end
  local target = ngx.var.gh_no_endpoints
  if target and target:match("^@gh_default_backend_%x+$") then return ngx.exec(target) end
  return ngx.exit(ngx.HTTP_SERVICE_UNAVAILABLE)
end

--- content_by_lua on the status server: the header of the file this worker has loaded.
function _M.status()
  ngx.header["Content-Type"] = "text/plain"
  ngx.say(loaded_header or "")
end

return _M
