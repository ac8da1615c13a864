# SPDX-License-Identifier: GPL-2.0-only
#
# The on-board suites' one library (busybox sh), sourced by each of
# test/system/suites/*.sh. A suite prints "PASS: name", "FAIL: name: why"
# and "METRIC: name=value" lines; test/system/run.sh counts them. Nothing
# here keeps state between calls but PID (the pinvm a suite started last)
# and RC (its exit status, set by stop).

G=/test/guests
P=/test/partitions
PID=

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: $2"; }
metric() { echo "METRIC: $1=$2"; }
not() { ! "$@" 2>/dev/null; }

# expect NAME WHY COMMAND...: pass when the command succeeds.
expect() {
	_what=$1 _why=$2
	shift 2
	if "$@"; then pass "$_what"; else fail "$_what" "$_why"; fi
}

# wait_until SECONDS COMMAND...: poll every 0.1 s until the command succeeds.
wait_until() {
	_n=$(($1 * 10))
	shift
	while [ $_n -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		_n=$((_n - 1))
	done
	return 1
}

# wait_for FILE PATTERN SECONDS: until a line matches (grep -E).
wait_for() {
	wait_until "$3" grep -qsE "$2" "$1"
}

# --- starting and stopping pinvm -------------------------------------------

# pinvm_start TAG PARTITION [OPTION...]: pinvm on $P/PARTITION.dtb in the
# background, console to /tmp/TAG.out, log to /tmp/TAG.err; PID is its pid.
# The files go first: a check must never read the previous run's lines.
pinvm_start() {
	_tag=$1 _dtb=$2
	shift 2
	rm -f "/tmp/$_tag.out" "/tmp/$_tag.err"
	pinvm "$@" -p "$P/$_dtb.dtb" -i "$G" > "/tmp/$_tag.out" 2> "/tmp/$_tag.err" &
	PID=$!
}

# start NAME [OPTION...]: partition NAME, pinvm's time stamps in front of
# each console line (-t).
start() {
	_name=$1
	shift
	pinvm_start "$_name" "$_name" -t "$@"
}

running() { kill -0 "$PID" 2>/dev/null; }
not_running() { ! running; }

# stop SIGNAL: stop pinvm, RC = its exit status (bounded wait).
stop() {
	kill -"$1" "$PID" 2>/dev/null
	wait_until 10 not_running || kill -KILL "$PID"
	wait "$PID"
	RC=$?
}

# --- what pinvm and the guests print ---------------------------------------

# error_line FILE PREFIX WORD...: FILE has a line that starts with
# "pinvm: error: PREFIX" (a regular expression, grep -E) and holds every
# WORD (fixed strings). Tests name the source, node and property in PREFIX
# and the values in WORDs, so a reworded reason still passes and a wrong
# node, property or value does not.
error_line() {
	_f=$1 _re="^pinvm: error: $2"
	shift 2
	grep -E "$_re" "$_f" > /tmp/error_line.$$
	while IFS= read -r _line; do
		for _w in "$@"; do
			case $_line in
			*"$_w"*) ;;
			*) continue 2 ;;
			esac
		done
		rm -f /tmp/error_line.$$
		return 0
	done < /tmp/error_line.$$
	rm -f /tmp/error_line.$$
	return 1
}

# The vCPU thread of a guest, from pinvm's "running on core" line.
tid_of() {
	sed -n "s/.*pinvm: $2: running on core [0-9]* (vcpu thread \([0-9]*\)).*/\1/p" "$1"
}

# last_tick FILE GUEST: the guest's last tick, 0 before its first.
last_tick() {
	_t=$(grep "\[$2\] tick" "$1" | tail -n 1 | sed 's/.*tick //')
	echo "${_t:-0}"
}

count() {
	grep -c "$2" "$1"
}

# ticks_reach FILE GUEST N: the guest's last tick is N or more.
ticks_reach() { [ "$(last_tick "$1" "$2")" -ge "$3" ]; }
# count_reaches FILE PATTERN N
count_reaches() { [ "$(count "$1" "$2")" -ge "$3" ]; }

# Ticks of a guest are 1, 2, 3, ... without a gap or a restart.
ticks_contiguous() {
	grep "\[$2\] tick" "$1" | sed 's/.*tick //' |
		awk 'BEGIN { ok = 1 } $1 != NR { ok = 0 } END { exit !ok }'
}

# ticked_on FILE GUEST: three ticks or more, without a gap or a restart.
ticked_on() {
	ticks_reach "$1" "$2" 3 && ticks_contiguous "$1" "$2"
}

# status_of GUEST KEY [FILE]: a guest's counter or state from pinvm's
# status file (/run/pinvm/status unless -s named another).
status_of() {
	sed -n "s/^guest=$1 .*\<$2=\([^ ]*\).*/\1/p" "${3:-/run/pinvm/status}"
}

# update_of GUEST KEY: from the guest's "update ..." line of the status file.
update_of() {
	sed -n "s/^update guest=$1 .*\<$2=\([^ ]*\).*/\1/p" /run/pinvm/status
}

# region_writes GUEST BASE: the exits pinvm served for that region.
region_writes() {
	sed -n "s/^region guest=$1 .* base=$2 .* writes=\([0-9]*\).*/\1/p" \
		/run/pinvm/status
}

# expect_vfio_claim WHAT TAG NODE DEVICE DRIVER SPI TRIGGER: pinvm's log
# (/tmp/TAG.err) says it claimed DEVICE through VFIO (DRIVER) and forwards
# NODE's interrupt 0 to guest SPI SPI, TRIGGER (level or edge).
expect_vfio_claim() {
	expect "$1: pinvm claims $4 through VFIO" "$(cat "/tmp/$2.err")" \
		wait_for "/tmp/$2.err" "$3: claimed $4 through VFIO \\($5\\)" 30
	expect "$1: its interrupt forwarded, $7, to SPI $6" "$(grep interrupt "/tmp/$2.err")" \
		wait_for "/tmp/$2.err" "$3: interrupt 0: host IRQ [0-9]+ -> guest SPI $6 \\($7\\)" 30
}

# expect_irq_counted WHAT BASE HWIRQ N NODE TRIGGER STATUS: the host took
# exactly N of GIC INTID HWIRQ since its count was BASE, and g1's status
# file STATUS counts what the host counts, with TRIGGER.
expect_irq_counted() {
	_host=$(irq_count "$3")
	expect "$1: the host took the $4, no more" "host count $2 -> $_host" \
		[ $((_host - $2)) -eq "$4" ]
	expect "$1: the status file counts them" "$(grep '^irq' "$7"), host $_host" \
		[ "$(irq_status g1 "$5" count "$7")" = "$_host" -a \
		  "$(irq_status g1 "$5" trigger "$7")" = "$6" ]
}

# irq_status GUEST NODE KEY [FILE]: a forwarded interrupt's field from the
# status file's "irq guest=GUEST name=NODE ..." line (NODE: the device's
# node path in the partition, as in its region line).
irq_status() {
	sed -n "s|^irq guest=$1 name=$2 .*\<$3=\([^ ]*\).*|\1|p" "${4:-/run/pinvm/status}"
}

# --- the host kernel's interrupts and drivers ------------------------------

# irq_count HWIRQ: how many times the host took the GIC's INTID HWIRQ (32 +
# SPI), summed over the CPUs, from /proc/interrupts; 0 when it never did.
# Found by the GIC's own number, so it counts whichever driver had it.
irq_count() {
	awk -v hw="$1" 'NR == 1 { n = NF; next }
		$(n + 2) ~ /^GIC/ && $(n + 3) == hw {
			for (i = 2; i <= n + 1; i++) c += $i
		}
		END { print c + 0 }' /proc/interrupts
}

# irq_number HWIRQ: the host's Linux IRQ number of GIC INTID HWIRQ.
irq_number() {
	awk -v hw="$1" 'NR == 1 { n = NF; next }
		$(n + 2) ~ /^GIC/ && $(n + 3) == hw { sub(":", "", $1); print $1 }' \
		/proc/interrupts
}

# irq_action HWIRQ: the name of the handler the host has on it, if any.
irq_action() {
	awk -v hw="$1" 'NR == 1 { n = NF; next }
		$(n + 2) ~ /^GIC/ && $(n + 3) == hw { print $(n + 5) }' /proc/interrupts
}

# vfio_action HWIRQ: VFIO's handler is on it: "vfio-irq[IRQ](NAME)", NAME
# the sysfs name for vfio-platform, vfio-amba-<periphid> for vfio-amba.
vfio_action() {
	case $(irq_action "$1") in
	"vfio-irq["*"]("*")") return 0 ;;
	esac
	return 1
}

# driver_of BUS DEVICE: the host driver bound to a sysfs device, or "none".
driver_of() {
	_l=$(readlink "/sys/bus/$1/devices/$2/driver" 2>/dev/null)
	echo "${_l##*/}" | sed 's/^$/none/'
}

# --- the board's GPIO lines, as the host kernel reports them (debugfs) -----

# line_state CONSUMER: "out hi", "in lo", ...
line_state() {
	sed -n "s/.*|$1 *) *\([a-z]*\) *\([a-z]*\).*/\1 \2/p" /sys/kernel/debug/gpio
}

line_is() {
	[ "$(line_state "$1")" = "$2" ]
}

# expect_line NAME CONSUMER STATE: the line reaches STATE within 5 s.
expect_line() {
	expect "$1: $2 is $3" "kernel says '$(line_state "$2")'" \
		wait_until 5 line_is "$2" "$3"
}
