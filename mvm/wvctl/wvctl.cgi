#!/bin/sh
# /www/cgi-bin/wvctl in the management VM: wvctl over HTTP, run by busybox httpd as a
# CGI script (RFC 3875), so that the host reaches it through the demo's port forward.
#   GET  /cgi-bin/wvctl?list       runs `wvctl list`; the query is wvctl's arguments
#                                  separated by '+': ?info+gvm, ?--json+list, ?log
#   POST /cgi-bin/wvctl            the body is a module file: saved in /tmp, then
#                                  `wvctl update FILE` (what `wasmvisor update` sends)
# The reply is wvctl's output (or its error message), with an HTTP status from its exit
# code (0 -> 200, 1 refused by the hypervisor -> 409, 2 usage -> 400, 3 channel -> 502)
# and the exit code itself in the header X-Wvctl-Exit.
WVCTL=${WVCTL:-/bin/wvctl}
# The most a request to the hypervisor carries (docs/wvctl.md).
MAX_MODULE=4194304

# Applets /init does not link are run through busybox itself.
command -v head >/dev/null 2>&1 || head() { /bin/busybox head "$@"; }
command -v wc >/dev/null 2>&1 || wc() { /bin/busybox wc "$@"; }
command -v rm >/dev/null 2>&1 || rm() { /bin/busybox rm "$@"; }

# reply STATUS EXIT CONTENT-TYPE TEXT: the CGI header ("Status:" first: busybox httpd
# turns it into the status line), then the text.
reply() {
  printf 'Status: %s\r\nContent-Type: %s\r\nX-Wvctl-Exit: %s\r\n\r\n%s\n' "$1" "$3" "$2" "$4"
  exit 0
}

# answer EXIT OUTPUT CONTENT-TYPE: wvctl's result.
answer() {
  case "$1" in
    0) reply "200 OK" 0 "$3" "$2" ;;
    1) reply "409 Conflict" 1 "text/plain; charset=utf-8" "$2" ;;
    2) reply "400 Bad Request" 2 "text/plain; charset=utf-8" "$2" ;;
    3) reply "502 Bad Gateway" 3 "text/plain; charset=utf-8" "$2" ;;
    *) reply "500 Internal Server Error" "$1" "text/plain; charset=utf-8" "$2" ;;
  esac
}

bad() {
  reply "$1" 2 "text/plain; charset=utf-8" "wvctl: $2"
}

case "$REQUEST_METHOD" in
  GET)
    case "$QUERY_STRING" in
      '' | *[!A-Za-z0-9_.+-]*)
        bad "400 Bad Request" "the query is wvctl's arguments separated by '+', such as ?list or ?info+gvm" ;;
    esac
    IFS=+
    set -- $QUERY_STRING
    IFS=' 	
'
    type="text/plain; charset=utf-8"
    for w in "$@"; do
      case "$w" in
        update) bad "400 Bad Request" "update takes the module file as the body of a POST to /cgi-bin/wvctl" ;;
        --json) type="application/json" ;;
      esac
    done
    out=$("$WVCTL" "$@" 2>&1)
    answer $? "$out" "$type"
    ;;
  POST)
    case "$CONTENT_LENGTH" in
      '' | *[!0-9]*) bad "411 Length Required" "POST the module file with its Content-Length" ;;
    esac
    if [ ${#CONTENT_LENGTH} -gt 8 ] || [ "$CONTENT_LENGTH" -gt $MAX_MODULE ]; then
      bad "413 Payload Too Large" "a module file is at most $MAX_MODULE bytes, this one is $CONTENT_LENGTH"
    fi
    if [ "$CONTENT_LENGTH" -eq 0 ]; then bad "400 Bad Request" "the body is empty: POST the module file"; fi
    file=/tmp/wvctl-update.$$
    head -c "$CONTENT_LENGTH" > "$file"
    got=$(($(wc -c < "$file")))
    if [ "$got" -ne "$CONTENT_LENGTH" ]; then
      rm -f "$file"
      bad "400 Bad Request" "the body ended after $got of its $CONTENT_LENGTH bytes"
    fi
    out=$("$WVCTL" update "$file" 2>&1)
    rc=$?
    rm -f "$file"
    answer $rc "$out" "text/plain; charset=utf-8"
    ;;
  *)
    reply "405 Method Not Allowed" 2 "text/plain; charset=utf-8" \
      "wvctl: GET /cgi-bin/wvctl?COMMAND+ARG runs wvctl, POST /cgi-bin/wvctl updates with the module file in the body"
    ;;
esac
