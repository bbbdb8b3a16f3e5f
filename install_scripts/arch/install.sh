#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# install.sh: installs Arch Linux as a pVM guest, from the Arch Linux
# installation ISO booted with "pvm -d IMAGE --install". See README.md.
#
# Every step goes through run(), which prints the command instead of running
# it with --dry-run; files written into the new system are commands too
# (install -D -m MODE /dev/stdin PATH, their content on standard input).

set -euo pipefail

prog=install.sh
share=/mnt/install
target=/mnt/target
dry_run=0

usage () {
  cat <<'EOF'
usage: install.sh [--dry-run] [--share DIR]

Installs Arch Linux on the VM's system disk, as a pVM guest, then powers
the VM off. Run it as root from the Arch Linux installation ISO, booted
with "pvm -d IMAGE --install", after mounting the install share:

  mkdir -p /mnt/install
  mount -t 9p -o trans=virtio,version=9p2000.L,ro install /mnt/install
  /mnt/install/install_scripts/arch/install.sh

It reads DIR/pvm-install.conf (key=value lines: hostname, user, timezone,
locale, and optionally disk) and DIR/ssh.pub (optional).

The disk is the one of disk=, else the first virtio disk without a serial
(/sys/block/vd*/serial): pVM's input and output disks have one. It is
wiped: GPT with a BIOS boot partition, an EFI system partition and an ext4
root, bootable by SeaBIOS and OVMF.

  --share DIR  the install share (default: /mnt/install)
  --dry-run    print the commands, one after the other, instead of running
               them; the input of a command follows it as a here-document
  --help       print this help
EOF
}

die () { echo "$prog: $*" >&2; exit 1; }
usage_error () { echo "$prog: $*" >&2; echo "Try '$prog --help'." >&2; exit 2; }

# run [--input TEXT] [--append-to FILE] COMMAND [ARG...]
# Runs COMMAND, with TEXT (plus a newline) on its standard input and its
# standard output appended to FILE when given; with --dry-run prints it
# instead, arguments quoted with printf %q, TEXT as a here-document.
run () {
  local input='' has_input=0 append_to=''
  while [[ $# -gt 0 ]]; do
    case $1 in
      --input) input=$2 has_input=1; shift 2 ;;
      --append-to) append_to=$2; shift 2 ;;
      *) break ;;
    esac
  done
  if [[ $dry_run -eq 1 ]]; then
    local line
    line=$(printf '%q ' "$@")
    line=${line% }
    if [[ -n $append_to ]]; then
      line+=" >> $(printf '%q' "$append_to")"
    fi
    if [[ $has_input -eq 1 ]]; then
      printf "%s <<'EOF'\n%s\nEOF\n" "$line" "$input"
    else
      printf '%s\n' "$line"
    fi
    return 0
  fi
  if [[ $has_input -eq 1 && -n $append_to ]]; then
    "$@" <<<"$input" >>"$append_to"
  elif [[ $has_input -eq 1 ]]; then
    "$@" <<<"$input"
  elif [[ -n $append_to ]]; then
    "$@" >>"$append_to"
  else
    "$@"
  fi
}

# write_file MODE PATH CONTENT: PATH (parents created) holds CONTENT and a
# newline.
write_file () { run --input "$3" install -D -m "$1" /dev/stdin "$2"; }

# append_file PATH CONTENT: CONTENT and a newline at the end of PATH.
append_file () { run --input "$2" --append-to "$1" cat; }

# in_target COMMAND [ARG...]: COMMAND in the new system.
in_target () { run arch-chroot "$target" "$@"; }

# The first virtio disk without a serial, or nothing.
default_disk () {
  local dir serial
  for dir in /sys/block/vd*; do
    [[ -d $dir ]] || continue
    serial=''
    if [[ -r $dir/serial ]]; then
      serial=$(<"$dir/serial")
    fi
    if [[ -z $serial ]]; then
      echo "/dev/${dir##*/}"
      return 0
    fi
  done
}

# Partition N of DISK: /dev/vda3, /dev/nvme0n1p3.
partition () {
  if [[ $1 == *[0-9] ]]; then echo "$1p$2"; else echo "$1$2"; fi
}

# --- Arguments -------------------------------------------------------------

while [[ $# -gt 0 ]]; do
  case $1 in
    --help|-h) usage; exit 0 ;;
    --dry-run) dry_run=1; shift ;;
    --share)
      [[ $# -ge 2 ]] || usage_error "--share needs a directory"
      share=$2; shift 2 ;;
    --share=*) share=${1#--share=}; shift ;;
    *) usage_error "unknown argument: $1" ;;
  esac
done

# --- Configuration ---------------------------------------------------------

conf=$share/pvm-install.conf
[[ -f $conf ]] || die "$conf does not exist (is the install share mounted on $share?)"

hostname='' user='' timezone='' locale='' disk=''
lineno=0
while IFS= read -r line || [[ -n $line ]]; do
  lineno=$((lineno + 1))
  line=${line%$'\r'}
  [[ -z ${line//[[:space:]]/} || $line == \#* ]] && continue
  [[ $line == *=* ]] || die "$conf:$lineno: not a key=value line: $line"
  key=${line%%=*} value=${line#*=}
  case $key in
    hostname) hostname=$value ;;
    user) user=$value ;;
    timezone) timezone=$value ;;
    locale) locale=$value ;;
    disk) disk=$value ;;
    *) ;; # unknown keys are for other scripts
  esac
done <"$conf"

for key in hostname user timezone locale; do
  [[ -n ${!key} ]] || die "$conf: no $key= line (or it is empty)"
done
[[ $hostname =~ ^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$ ]] ||
  die "$conf: hostname=$hostname is not a valid host name (letters, digits and '-')"
[[ $user =~ ^[a-z_][a-z0-9_-]{0,31}$ ]] ||
  die "$conf: user=$user is not a valid user name"
[[ $timezone =~ ^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*$ ]] ||
  die "$conf: timezone=$timezone is not a time zone name like Europe/Prague"
# locale.gen wants "NAME CHARSET": en_US.UTF-8 UTF-8, de_DE.ISO-8859-15@euro ISO-8859-15.
[[ $locale =~ ^[A-Za-z0-9_]+\.([A-Za-z0-9-]+)(@[A-Za-z0-9]+)?$ ]] ||
  die "$conf: locale=$locale is not a locale with a character set like en_US.UTF-8"
charset=${BASH_REMATCH[1]}

if [[ -z $disk ]]; then
  disk=$(default_disk)
  if [[ -z $disk ]]; then
    [[ $dry_run -eq 1 ]] || die "no virtio disk without a serial in /sys/block: set disk= in $conf"
    disk=/dev/vda
  fi
fi
[[ $disk == /dev/* ]] || die "$conf: disk=$disk is not a /dev path"

if [[ $dry_run -eq 0 ]]; then
  [[ $EUID -eq 0 ]] || die "run me as root"
  for command in sfdisk pacstrap genfstab arch-chroot mkfs.fat mkfs.ext4; do
    command -v "$command" >/dev/null ||
      die "$command not found: run me from the Arch Linux installation ISO"
  done
  [[ -b $disk ]] || die "$disk is not a block device"
fi

ssh_key=''
if [[ -f $share/ssh.pub ]]; then
  ssh_key=$(<"$share/ssh.pub")
else
  echo "$prog: no $share/ssh.pub: $user gets no SSH key (add one to /home/$user/.ssh/authorized_keys)" >&2
fi

esp_part=$(partition "$disk" 2)
root_part=$(partition "$disk" 3)
home=/home/$user

# --- Disk ------------------------------------------------------------------

# GPT: a BIOS boot partition (1) for GRUB's core image (SeaBIOS), an EFI system
# partition (OVMF), the root.
run --input "label: gpt
size=1MiB, type=21686148-6449-6E6F-744E-656564454649, name=bios
size=300MiB, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name=esp
type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=root" \
  sfdisk --wipe always --wipe-partitions always "$disk"
run udevadm settle
run mkfs.fat -F 32 -n ESP "$esp_part"
run mkfs.ext4 -F -L root "$root_part"
run mount --mkdir "$root_part" "$target"
run mount --mkdir "$esp_part" "$target/boot/efi"

# --- System ----------------------------------------------------------------

run pacstrap -K "$target" base linux linux-firmware openssh spice-vdagent \
  qemu-guest-agent grub efibootmgr
run --append-to "$target/etc/fstab" genfstab -U "$target"

in_target ln -sf "/usr/share/zoneinfo/$timezone" /etc/localtime
in_target hwclock --systohc
append_file "$target/etc/locale.gen" "$locale $charset"
in_target locale-gen
write_file 644 "$target/etc/locale.conf" "LANG=$locale"
write_file 644 "$target/etc/hostname" "$hostname"

in_target useradd -m -G wheel "$user"
if [[ -n $ssh_key ]]; then
  run install -d -m 700 "$target$home/.ssh"
  write_file 600 "$target$home/.ssh/authorized_keys" "$ssh_key"
  in_target chown -R "$user:" "$home/.ssh"
fi

# Network: DHCP on the virtio NIC.
write_file 644 "$target/etc/systemd/network/20-wired.network" "[Match]
Name=en*

[Network]
DHCP=yes"

# The guest contract's disks, mounted when they show up. The 9p shares
# (tags input and output) are not handled.
run install -d -m 755 "$target/mnt/input" "$target/mnt/output"
write_file 644 "$target/etc/systemd/system/mnt-input.mount" "[Unit]
Description=pVM input disk (serial pvm-input)

[Mount]
What=/dev/disk/by-id/virtio-pvm-input
Where=/mnt/input
Type=squashfs
Options=ro,nofail

[Install]
WantedBy=dev-disk-by\\x2did-virtio\\x2dpvm\\x2dinput.device"
write_file 644 "$target/etc/systemd/system/mnt-output.mount" "[Unit]
Description=pVM output disk (serial pvm-output)

[Mount]
What=/dev/disk/by-id/virtio-pvm-output
Where=/mnt/output
Type=ext4
Options=rw,nofail

[Install]
WantedBy=dev-disk-by\\x2did-virtio\\x2dpvm\\x2doutput.device"

in_target systemctl enable sshd.service qemu-guest-agent.service \
  systemd-networkd.service systemd-resolved.service mnt-input.mount mnt-output.mount

# --- Boot: GRUB for SeaBIOS and OVMF, on the serial port too ---------------

append_file "$target/etc/default/grub" "
# pVM: serial console (install_scripts/arch/install.sh)
GRUB_CMDLINE_LINUX=\"console=ttyS0 console=tty0\"
GRUB_TERMINAL=\"console serial\"
GRUB_SERIAL_COMMAND=\"serial --unit=0 --speed=115200\""
in_target grub-install --target=i386-pc "$disk"
in_target grub-install --target=x86_64-efi --efi-directory=/boot/efi --removable
in_target grub-mkconfig -o /boot/grub/grub.cfg

# arch-chroot binds the live system's resolv.conf over the target's while it
# runs: link it to systemd-resolved's stub after the last arch-chroot.
run ln -sf ../run/systemd/resolve/stub-resolv.conf "$target/etc/resolv.conf"

run umount -R "$target"
run poweroff
