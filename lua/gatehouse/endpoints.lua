-- Gatehouse endpoint channel: upstream endpoints change without an nginx reload.
--
-- Static source shipped with Gatehouse (docs/controller.md, "Endpoint changes"); nothing in it
-- is generated. The controller writes one file (src/controller/endpoint-publisher.ts, format in
-- src/nginx/dynamic-upstreams.ts), replaced atomically by rename(2):
--   gatehouse-endpoints v1 <content hash>
--   <sha1 hex of an upstream name> <ipv4>:<port> [<ipv6>]:<port> ...
-- It holds no names: only hashes, IP literals and ports, each checked again here. Every worker
-- reads it when it starts and re-reads it when its first line changes (polled every POLL_S).
-- An upstream block calls balance(): round robin over its endpoints; none known → no peer is
-- set, and nginx uses the block's placeholder server, a unix socket of this nginx answering 503.
-- https://github.com/openresty/lua-nginx-module#balancer_by_lua_block
-- https://github.com/openresty/lua-resty-core/blob/master/lib/ngx/balancer.md
local balancer = require("ngx.balancer")

local _M = {}

local POLL_S = 0.1
local MAX_ENDPOINTS = 4096
local ENV = "GATEHOUSE_ENDPOINTS_FILE"

local path = os.getenv(ENV)
local loaded_header
local tables = {}   -- upstream key -> { {host, port}, ... }
local cursors = {}  -- upstream key -> last index used (this worker's round robin)
local keys = {}     -- upstream name ($proxy_host) -> key

local function hex(bin)
  return (bin:gsub(".", function(c) return string.format("%02x", c:byte()) end))
end

-- One `address:port` token, or nil: IPv4 dotted quad or bracketed IPv6 only, port 1-65535.
local function endpoint(token)
  local host, port = token:match("^(%d+%.%d+%.%d+%.%d+):(%d+)$")
  if not host then
    host, port = token:match("^%[([%x:%.]+)%]:(%d+)$")
    if host then host = "[" .. host .. "]" end
  end
  port = tonumber(port)
  if not host or not port or port < 1 or port > 65535 or #token > 64 then return nil end
  return { host, port }
end

local function parse(body)
  local t = {}
  for line in body:gmatch("[^\n]+") do
    local key, list = line:match("^(%x+) ?(.*)$")
    if key and #key == 40 then
      local eps = {}
      for token in list:gmatch("%S+") do
        local ep = endpoint(token)
        if ep and #eps < MAX_ENDPOINTS then
          eps[#eps + 1] = ep
        else
          ngx.log(ngx.WARN, "gatehouse endpoints: entry skipped")
        end
      end
      t[key] = eps
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

--- balancer_by_lua: the next endpoint of the upstream named by $proxy_host.
function _M.balance()
  local name = ngx.var.gh_proxy_host
  if not name then return end
  local key = keys[name]
  if not key then
    key = hex(ngx.sha1_bin(name))
    keys[name] = key
  end
  local eps = tables[key]
  if not eps or #eps == 0 then return end -- the placeholder answers 503
  local n = #eps
  local i = (cursors[key] or 0) % n + 1
  cursors[key] = i
  local ep = eps[i]
  -- Retries (proxy_next_upstream) go round the other endpoints, as nginx does over servers.
  if n > 1 and not balancer.get_last_failure() then balancer.set_more_tries(n - 1) end
  local ok, err = balancer.set_current_peer(ep[1], ep[2])
  if not ok then
    ngx.log(ngx.ERR, "gatehouse endpoints: cannot use an endpoint: ", err)
    return ngx.exit(ngx.ERROR)
  end
end

return _M
