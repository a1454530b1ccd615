#!/bin/bash
# host-init.sh NAME IP HOSTDIR CGROUP [BIND...]: run by tests/lib/hosts.sh as PID 1 of a fresh PID, mount,
# UTS and IPC namespace (inside the test's network namespace). Makes this namespace a host of its own,
# then execs the real systemd. Never run it by hand in the machine's namespaces: it mounts over /etc,
# /var, /run, /tmp and /dev.
#
# Why each step (LAB_NOTES "Real systemd as PID 1"): the root filesystem is the machine's, and
# systemd's early units act on it. Seen without these: the machine's /tmp emptied by
# systemd-tmpfiles, /dev/log and /dev/initctl created in the machine's devtmpfs, every host in the
# same root cgroup. So every place systemd or etcd writes is private here, and what stays shared
# (/usr, /work, the kernel) is out of systemd's reach: /sys and /proc/sys read-only, the units that
# touch kernel or disk state masked, capabilities that reach beyond the namespaces dropped.
set -eu
name=$1 ip=$2 h=$3 cg=$4
shift 4

fail() { echo "host-init $name: $*" >&2; exit 1; }
[ "$$" = 1 ] || fail "not PID 1 of a new PID namespace (PID $$): refusing to touch any mount"
# Our mount namespace must not be the machine's (hosts.sh passes the machine's in HOST_MACHINE_MNTNS).
[ -n "${HOST_MACHINE_MNTNS:-}" ] && [ "$(readlink /proc/self/ns/mnt)" != "$HOST_MACHINE_MNTNS" ] ||
	fail "not in a mount namespace of its own: refusing"

# Its own cgroup subtree, made by hosts.sh: systemd takes the cgroup it starts in as its root, so
# each host gets its own system.slice/etcd.service. (PID 1 here is this process.)
for c in systemd unified; do echo 1 >"/sys/fs/cgroup/$c/$cg/cgroup.procs" || fail "cannot join cgroup $c/$cg"; done

# Nothing mounted below propagates to the machine, and nothing systemd unmounts at shutdown either.
mount --make-rprivate /

# /etc and /var: overlays on the machine's, the changes in the test's temp dir.
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$h/etc.upper,workdir=$h/etc.work" /etc
mount -t overlay overlay -o "lowerdir=/var,upperdir=$h/var.upper,workdir=$h/var.work" /var
# /usr/local too: etcd-install's default --lib-dir (/usr/local/lib/etcd-probe) is there, and the rest of
# /usr stays the machine's
mount -t overlay overlay -o "lowerdir=/usr/local,upperdir=$h/usrlocal.upper,workdir=$h/usrlocal.work" /usr/local
# the units the machine enables, read before its /etc/systemd/system is hidden: masked below
enabled=()
for l in /etc/systemd/system/*.wants/*; do if [ -L "$l" ]; then enabled+=("${l##*/}"); fi; done
# the tutorial's default paths start empty on every host
for d in /etc/etcd /etc/systemd/system; do mkdir -p "$d" && mount -t tmpfs -o mode=0755 tmpfs "$d"; done
for d in /var/lib/etcd /var/log/journal; do mkdir -p "$d" && mount -t tmpfs -o mode=0755 tmpfs "$d"; done
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /var/tmp
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run

# /tmp: a new tmpfs with the test's own dirs (BIND...) bound back at their paths. Built beside, then
# moved over /tmp, so that the paths are still reachable while the binds are made.
stage=$h/tmp.stage
mkdir -p "$stage"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$stage"
for b in "$@"; do
	case $b in /tmp/?*) ;; *) fail "bind $b is not under /tmp" ;; esac
	mkdir -p "$stage/${b#/tmp/}"
	mount --bind "$b" "$stage/${b#/tmp/}"
done
mount --move "$stage" /tmp

# /dev: a tmpfs with the few nodes a host needs (the machine's is a devtmpfs, shared by all).
mount -t tmpfs -o mode=0755,nosuid tmpfs /dev
mknod -m 666 /dev/null c 1 3
mknod -m 666 /dev/zero c 1 5
mknod -m 666 /dev/full c 1 7
mknod -m 666 /dev/random c 1 8
mknod -m 666 /dev/urandom c 1 9
mknod -m 666 /dev/tty c 5 0
mkdir -m 755 /dev/pts /dev/shm
mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts /dev/pts
ln -s pts/ptmx /dev/ptmx
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /dev/shm
ln -s /proc/self/fd /dev/fd
ln -s /proc/self/fd/0 /dev/stdin
ln -s /proc/self/fd/1 /dev/stdout
ln -s /proc/self/fd/2 /dev/stderr

# Kernel knobs stay the machine's: read-only. "bind" makes the remount change this mount only, not
# the filesystem (a remount without it would make the machine's sysfs read-only).
mount --bind /proc/sys /proc/sys
mount -o remount,bind,ro /proc/sys
if [ -e /proc/sysrq-trigger ]; then
	mount --bind /proc/sysrq-trigger /proc/sysrq-trigger
	mount -o remount,bind,ro /proc/sysrq-trigger
fi
# /sys/fs/cgroup: a tmpfs of the host's own holding binds of the machine's hierarchies. systemd mounts
# the v1 controllers it finds missing there (mkdir in that tmpfs) and then remounts the tmpfs read-only
# as a filesystem, not as a bind: on the machine's /sys/fs/cgroup that made it read-only for everyone.
# The controllers' hierarchies are bound read-only (systemd then finds them not writable and leaves
# them alone); names the machine has not mounted get a read-only placeholder, so systemd, seeing a
# mount point, mounts no new hierarchy (a kernel-wide object). Its own cgroups live in the name=systemd
# and unified hierarchies, under $cg.
cgs=$h/cgroup.stage
mkdir -p "$cgs"
mount -t tmpfs -o mode=0755 tmpfs "$cgs"
names=$(awk 'NR > 1 && $4 == 1 { print $1 }' /proc/cgroups)
for n in systemd unified $names cpu,cpuacct net_cls,net_prio; do
	[ -e "$cgs/$n" ] && continue
	mkdir "$cgs/$n"
	if mountpoint -q "/sys/fs/cgroup/$n"; then
		mount --bind "/sys/fs/cgroup/$n" "$cgs/$n"
		case $n in systemd | unified) ;; *) mount -o remount,bind,ro "$cgs/$n" ;; esac
	else
		mount -t tmpfs -o ro,mode=0555,size=4k tmpfs "$cgs/$n"
	fi
done
mount --move "$cgs" /sys/fs/cgroup
mount -o remount,bind,ro /sys

# Identity
echo "$name" >/etc/hostname
hostname "$name"
head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' >/etc/machine-id
echo >>/etc/machine-id
printf '127.0.0.1\tlocalhost\n%s\t%s\n' "$ip" "$name" >/etc/hosts
# no fstab entries: no remount of /, no swap
echo "# $name: no file systems (tests/lib/host-init.sh)" >/etc/fstab
: >/etc/crypttab

# systemd: no resource controllers (only the cgroups made for it), short stop timeouts.
mkdir -p /etc/systemd/system.conf.d
cat >/etc/systemd/system.conf.d/10-test-host.conf <<'EOF'
[Manager]
DefaultCPUAccounting=no
DefaultIOAccounting=no
DefaultIPAccounting=no
DefaultBlockIOAccounting=no
DefaultMemoryAccounting=no
DefaultTasksAccounting=no
DefaultTimeoutStopSec=10s
ShowStatus=no
EOF

# Masks: units that would act on the machine's kernel, disks, clock or console, and every server
# and timer the machine enables (its /etc/systemd/system is hidden here, but be explicit).
# etcd.service is masked too (Debian's package): etcd-install's own unit file replaces the mask.
masks="systemd-tmpfiles-setup.service systemd-tmpfiles-setup-dev.service systemd-tmpfiles-clean.service
systemd-tmpfiles-clean.timer systemd-sysctl.service systemd-binfmt.service proc-sys-fs-binfmt_misc.automount
proc-sys-fs-binfmt_misc.mount systemd-modules-load.service kmod-static-nodes.service systemd-random-seed.service
systemd-sysusers.service systemd-remount-fs.service systemd-timesyncd.service systemd-pstore.service
systemd-firstboot.service systemd-machine-id-commit.service systemd-repart.service systemd-update-utmp.service
systemd-update-done.service systemd-journal-catalog-update.service systemd-hwdb-update.service ldconfig.service
systemd-udevd.service systemd-udevd-control.socket systemd-udevd-kernel.socket systemd-udev-trigger.service
systemd-udev-settle.service systemd-journald-audit.socket systemd-fsck-root.service systemd-quotacheck.service
systemd-ask-password-console.path systemd-ask-password-wall.path dev-hugepages.mount dev-mqueue.mount
sys-kernel-debug.mount sys-kernel-tracing.mount sys-kernel-config.mount sys-fs-fuse-connections.mount
getty.target getty@.service serial-getty@.service console-getty.service container-getty@.service
apt-daily.timer apt-daily-upgrade.timer man-db.timer dpkg-db-backup.timer e2scrub_all.timer
e2scrub_reap.service fstrim.timer etcd.service postgresql.service prometheus.service"
for u in $masks; do ln -sf /dev/null "/etc/systemd/system/$u"; done
# whatever else the machine enables
for u in "${enabled[@]}"; do [ -e "/etc/systemd/system/$u" ] || ln -sf /dev/null "/etc/systemd/system/$u"; done

export container=other
# Capabilities whose effect reaches past the namespaces (kernel modules, the clock, reboot,
# process accounting, wake alarms) are dropped from the bounding set of systemd and all it starts.
if [ -n "${HOST_INIT_EXEC:-}" ]; then
	# shellcheck disable=SC2086 # a command line given by the harness's own self-test
	exec setpriv --bounding-set -sys_module,-sys_time,-sys_boot,-sys_pacct,-wake_alarm -- $HOST_INIT_EXEC
fi
exec setpriv --bounding-set -sys_module,-sys_time,-sys_boot,-sys_pacct,-wake_alarm -- \
	/lib/systemd/systemd --system --unit=basic.target --log-target=console --log-color=no
