// nginx turns each named capture of a regex into an http variable of that name, for the whole
// http{} block (ngx_http_regex_compile, https://github.com/nginx/nginx/blob/release-1.22.1/src/http/ngx_http_variables.c):
// - a built-in variable that cannot be changed (`host`, `uri`, `request_uri`, …) makes `nginx -t`
//   fail with `the duplicate "host" variable`, and with it every Ingress's next config;
// - any other variable of that name (`args`, a `map` such as `$connection_upgrade`, a prefix
//   variable such as `$http_upgrade` or `$cookie_<name>`) silently gets the capture's handler
//   instead of its own: for every request on every host it reads as empty unless this regex
//   matched (checked against Debian's nginx 1.22.1: `$connection_upgrade` and `$http_x_probe`
//   went empty on another server).
// Names are compared case-insensitively, as nginx does (ngx_strncasecmp in ngx_http_add_variable).

/**
 * Variables of Debian's nginx 1.22.1 (`nginx -V`: the http core, ssl, realip, v2, stub_status,
 * upstream, proxy, fastcgi, grpc, gzip, ssi, secure_link, slice, userid, referer, browser,
 * limit_conn, limit_req modules; geoip as the dynamic module Debian ships). Taken from the
 * `ngx_http_variable_t` tables and `ngx_http_add_variable` calls of release-1.22.1, and checked
 * against the binary: every name in its strings that fails `nginx -t` as a capture is here.
 */
const BUILT_IN = new Set([
  // ngx_http_variables.c
  'http_host', 'http_user_agent', 'http_referer', 'http_via', 'http_x_forwarded_for', 'http_cookie',
  'content_length', 'content_type', 'host', 'binary_remote_addr', 'remote_addr', 'remote_port',
  'proxy_protocol_addr', 'proxy_protocol_port', 'proxy_protocol_server_addr', 'proxy_protocol_server_port',
  'server_addr', 'server_port', 'server_protocol', 'scheme', 'https', 'request_uri', 'uri', 'document_uri',
  'request', 'document_root', 'realpath_root', 'query_string', 'args', 'is_args', 'request_filename',
  'server_name', 'request_method', 'remote_user', 'bytes_sent', 'body_bytes_sent', 'pipe',
  'request_completion', 'request_body', 'request_body_file', 'request_length', 'request_time',
  'request_id', 'status', 'sent_http_content_type', 'sent_http_content_length', 'sent_http_location',
  'sent_http_last_modified', 'sent_http_connection', 'sent_http_keep_alive',
  'sent_http_transfer_encoding', 'sent_http_cache_control', 'sent_http_link', 'limit_rate',
  'connection', 'connection_requests', 'connection_time', 'nginx_version', 'hostname', 'pid', 'msec',
  'time_iso8601', 'time_local', 'tcpinfo_rtt', 'tcpinfo_rttvar', 'tcpinfo_snd_cwnd', 'tcpinfo_rcv_space',
  // ngx_http_upstream.c, proxy, fastcgi, grpc, memcached
  'upstream_addr', 'upstream_status', 'upstream_connect_time', 'upstream_header_time',
  'upstream_response_time', 'upstream_response_length', 'upstream_bytes_received', 'upstream_bytes_sent',
  'upstream_cache_status', 'upstream_cache_last_modified', 'upstream_cache_etag',
  'proxy_host', 'proxy_port', 'proxy_add_x_forwarded_for', 'proxy_add_via', 'proxy_internal_body_length',
  'proxy_internal_chunked', 'fastcgi_script_name', 'fastcgi_path_info', 'grpc_internal_trailers', 'memcached_key',
  // ssl
  'ssl_protocol', 'ssl_cipher', 'ssl_ciphers', 'ssl_curve', 'ssl_curves', 'ssl_session_id',
  'ssl_session_reused', 'ssl_early_data', 'ssl_server_name', 'ssl_alpn_protocol', 'ssl_client_cert',
  'ssl_client_raw_cert', 'ssl_client_escaped_cert', 'ssl_client_s_dn', 'ssl_client_i_dn',
  'ssl_client_s_dn_legacy', 'ssl_client_i_dn_legacy', 'ssl_client_serial', 'ssl_client_fingerprint',
  'ssl_client_verify', 'ssl_client_v_start', 'ssl_client_v_end', 'ssl_client_v_remain',
  // other modules built in
  'http2', 'realip_remote_addr', 'realip_remote_port', 'connections_active', 'connections_reading',
  'connections_writing', 'connections_waiting', 'gzip_ratio', 'date_local', 'date_gmt', 'secure_link',
  'secure_link_expires', 'slice_range', 'uid_got', 'uid_set', 'uid_reset', 'invalid_referer', 'msie',
  'modern_browser', 'ancient_browser', 'limit_conn_status', 'limit_req_status',
  // geoip (dynamic module)
  'geoip_country_code', 'geoip_country_code3', 'geoip_country_name', 'geoip_org', 'geoip_city_continent_code',
  'geoip_city_country_code', 'geoip_city_country_code3', 'geoip_city_country_name', 'geoip_region',
  'geoip_region_name', 'geoip_city', 'geoip_postal_code', 'geoip_latitude', 'geoip_longitude',
  'geoip_dma_code', 'geoip_area_code',
]);

/** Prefix variables (`$http_<header>`, `$cookie_<name>`, …): a capture named like one shadows it. */
const BUILT_IN_PREFIXES = ['http_', 'sent_http_', 'sent_trailer_', 'cookie_', 'arg_', 'upstream_http_', 'upstream_trailer_', 'upstream_cookie_'];

/**
 * Variables of Gatehouse's own nginx.conf: the `map` in src/nginx/render.ts and every `set $gh_…`
 * of the renderer and the annotation features (src/annotations/features/), kept under `gh_`.
 */
const GATEHOUSE = new Set(['connection_upgrade']);
const GATEHOUSE_PREFIX = 'gh_';

/**
 * What a named capture called `name` would do to an nginx variable (completes `named capture
 * "host" …`), or undefined when the name is free.
 */
export function captureNameClash(name: string): string | undefined {
  const lower = name.toLowerCase();
  if (BUILT_IN.has(lower)) return `would redefine nginx's $${lower} variable`;
  const prefix = BUILT_IN_PREFIXES.find((p) => lower.startsWith(p));
  if (prefix) return `would replace nginx's $${lower} variable (of the $${prefix}* family) on every host`;
  if (GATEHOUSE.has(lower) || lower.startsWith(GATEHOUSE_PREFIX)) return `would redefine $${lower}, a variable of Gatehouse's nginx.conf, on every host`;
  return undefined;
}
