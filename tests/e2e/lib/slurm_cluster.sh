# Sourced by tests that need a scheduler (after common.sh): a private single-node Slurm cluster
# (munged, slurmctld, slurmd from Debian's munge and slurm-wlm) under $WORK/slurm, on free ports,
# with its own munge key and socket, so it touches no system configuration. Root only (slurmd
# starts jobs as their users). Stopped when the test exits.
#   start_slurm      starts it; exports SLURM_CONF for sbatch, squeue, scontrol
#   wait_for_job ID  waits (up to 10 min) until the job and its array tasks have left the queue
command -v slurmctld >/dev/null && command -v munged >/dev/null ||
    skip "slurm-wlm and munge are not installed (scripts/setup.sh installs them)"
[ "$(id -u)" = 0 ] || skip "a private Slurm cluster needs root"
SLURM_DIR=$WORK/slurm

stop_slurm() {
    local f
    for f in slurmd slurmctld munged; do
        [ -f "$SLURM_DIR/$f.pid" ] && kill "$(cat "$SLURM_DIR/$f.pid")" 2>/dev/null || true
    done
    sleep 0.5
}
trap 'stop_slurm; rm -rf "$WORK"' EXIT

slurm_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

start_slurm() {
    local d=$SLURM_DIR host mem
    mkdir -p "$d/state" "$d/spool" "$d/munge"
    chmod 700 "$d/munge"
    host=$(hostname -s)
    mem=$(($(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 / 2))
    dd if=/dev/urandom of="$d/munge/munge.key" bs=1024 count=1 2>/dev/null
    chmod 600 "$d/munge/munge.key"
    munged --force --socket="$d/munge/socket" --key-file="$d/munge/munge.key" \
        --pid-file="$d/munged.pid" --log-file="$d/munged.log" --seed-file="$d/munge/seed" ||
        fail "munged did not start: $(cat "$d/munged.log" 2>/dev/null)"
    cat >"$d/slurm.conf" <<CONF
ClusterName=aotpack-test
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmctldPort=$(slurm_port)
SlurmdPort=$(slurm_port)
AuthType=auth/munge
AuthInfo=socket=$d/munge/socket
CredType=cred/munge
StateSaveLocation=$d/state
SlurmdSpoolDir=$d/spool
SlurmctldPidFile=$d/slurmctld.pid
SlurmdPidFile=$d/slurmd.pid
SlurmctldLogFile=$d/slurmctld.log
SlurmdLogFile=$d/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
SlurmdParameters=config_overrides
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=$mem State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
    export SLURM_CONF=$d/slurm.conf
    slurmctld -i || fail "slurmctld did not start: $(tail -n 20 "$d/slurmctld.log")"
    slurmd || fail "slurmd did not start: $(tail -n 20 "$d/slurmd.log")"
    for _ in $(seq 150); do
        sinfo -h -o '%t' 2>/dev/null | grep -qE '^(idle|mix|alloc)' && return 0
        sleep 0.2
    done
    fail "the Slurm node did not come up: $(sinfo 2>&1; tail -n 20 "$d/slurmd.log")"
}

wait_for_job() {
    for _ in $(seq 3000); do
        [ -z "$(squeue -h -j "$1" 2>/dev/null)" ] && return 0
        sleep 0.2
    done
    fail "Slurm job $1 did not finish: $(squeue; tail -n 20 "$SLURM_DIR/slurmctld.log")"
}
