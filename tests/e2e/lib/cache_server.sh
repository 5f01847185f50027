# Sourced by the remote cache tests (after common.sh): real cache servers on 127.0.0.1, started
# by the test and stopped when it exits.
#   start_nginx NAME [tls] [token]  nginx with WebDAV PUT: sets URL_<NAME>, DATA_<NAME>
#   stop_nginx NAME                 stops it (a server that goes away mid-build)
#   start_fault_server NAME MODE    tests/e2e/lib/fault_server.py: stall, error500, truncate,
#                                   wrong-blob, flaky429, full (see the script)
command -v nginx >/dev/null || skip "nginx is not installed (scripts/setup.sh installs it)"
SERVER_PIDS=()
MOUNTS=()
trap 'for p in "${SERVER_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
      sleep 0.2; for m in "${MOUNTS[@]}"; do umount -l "$m" 2>/dev/null || true; done
      rm -rf "$WORK"' EXIT

# small_disk DIR KB: a tmpfs of KB KiB at DIR (root only); false if it cannot be mounted.
small_disk() {
    mkdir -p "$1"
    mount -t tmpfs -o "size=${2}k" tmpfs "$1" 2>/dev/null || return 1
    MOUNTS+=("$1")
}

# json FILE EXPR: a Python expression over the JSON document d.
json() { python3 -c "import json,sys; d=json.load(open('$1')); print(eval(sys.argv[1]))" "$2"; }

# job_hits REPORT: jobs the remote cache served (its own counters also count the archive-ready
# payloads it serves beside them).
job_hits() { json "$1" "sum(j['why'] == 'remote cache hit' for j in d['jobs'])"; }

# build_with CACHE_NAME OUT ARGS...: `aotpack build` of $kernels for $devices with its own local
# cache (another machine) and a JSON report OUT.json.
build_with() {
    local name=$1 out=$2; shift 2
    AOTPACK_CACHE_DIR=$WORK/local-$name "$AOTPACK" build -d "$devices" "${kernels[@]}" -o "$out" \
        --json-report "$out.json" "$@"
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_for_port PORT: up to 10 s for a server to listen.
wait_for_port() {
    for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    fail "no server came up on port $1"
}

# make_ca DIR: a CA and a server certificate for 127.0.0.1 signed by it.
make_ca() {
    local d=$1
    mkdir -p "$d"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=aotpack test CA" \
        -keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$d/server.key" \
        -out "$d/server.csr" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1\n' >"$d/ext"
    openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
        -days 2 -extfile "$d/ext" -out "$d/server.pem" 2>/dev/null
}

start_nginx() {
    local name=$1 tls=${2:-} token=${3:-} port dir listen scheme=http auth=""
    port=$(free_port)
    dir=$WORK/nginx-$name
    mkdir -p "$dir/data" "$dir/data/tmp"
    listen="listen 127.0.0.1:$port;"
    if [ "$tls" = tls ]; then
        make_ca "$dir/tls"
        scheme=https
        listen="listen 127.0.0.1:$port ssl; ssl_certificate $dir/tls/server.pem; ssl_certificate_key $dir/tls/server.key;"
    fi
    [ -z "$token" ] || auth="if (\$http_authorization != \"Bearer $token\") { return 401; }"
    cat >"$dir/nginx.conf" <<CONF
$( [ "$(id -u)" = 0 ] && echo "user root;" )
worker_processes 2;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 512; }
http {
    access_log $dir/access.log;
    client_body_temp_path $dir/data/tmp;
    proxy_temp_path $dir/data/tmp; fastcgi_temp_path $dir/data/tmp; uwsgi_temp_path $dir/data/tmp; scgi_temp_path $dir/data/tmp;
    client_max_body_size 1g;
    server {
        $listen
        root $dir/data;
        location / {
            $auth
            dav_methods PUT;
            create_full_put_path on;
            dav_access user:rw group:r all:r;
        }
    }
}
CONF
    nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" || fail "nginx did not start: $(cat "$dir/error.log")"
    wait_for_port "$port"
    SERVER_PIDS+=("$(cat "$dir/nginx.pid")")
    printf -v "URL_$name" '%s://127.0.0.1:%s/cache' "$scheme" "$port"
    printf -v "DATA_$name" '%s' "$dir/data/cache"
    printf -v "CA_$name" '%s' "$dir/tls/ca.pem"
}

stop_nginx() {
    local dir=$WORK/nginx-$1
    nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" -s stop 2>/dev/null || true
    for _ in $(seq 50); do [ -e "$dir/nginx.pid" ] || return 0; sleep 0.1; done
}

start_fault_server() {
    local name=$1 mode=$2 port
    port=$(free_port)
    mkdir -p "$WORK/fault-$name"
    python3 "$SRC/tests/e2e/lib/fault_server.py" "$port" "$WORK/fault-$name" "$mode" \
        2>"$WORK/fault-$name.log" &
    SERVER_PIDS+=("$!")
    wait_for_port "$port"
    printf -v "URL_$name" 'http://127.0.0.1:%s/cache' "$port"
    printf -v "DATA_$name" '%s' "$WORK/fault-$name/cache"
}

# no_bad_blobs DIR: every cas/ file's SHA-256 is its name (nothing corrupt was stored).
no_bad_blobs() {
    local f n=0
    for f in "$1"/cas/*; do
        [ -e "$f" ] || continue
        [ "$(sha256sum "$f" | cut -d' ' -f1)" = "$(basename "$f")" ] || fail "corrupt blob $f"
        n=$((n + 1))
    done
    echo "$n"
}
