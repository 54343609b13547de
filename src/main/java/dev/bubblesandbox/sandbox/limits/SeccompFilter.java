package dev.bubblesandbox.sandbox.limits;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The seccomp filter handed to bwrap ({@code --seccomp FD}): a classic BPF program, written as
 * little-endian {@code struct sock_filter} records, that refuses with EPERM the system calls a
 * Python script has no business making (after flatpak's list). x86-64 only: calls of another
 * architecture (i386 through {@code int 0x80}) and x32 calls are refused outright.
 */
public final class SeccompFilter {

  private static final int AUDIT_ARCH_X86_64 = 0xc000003e;
  private static final int X32_SYSCALL_BIT = 0x40000000;

  private static final int EPERM = 1;
  private static final int ENOSYS = 38;
  private static final int RET_ALLOW = 0x7fff0000;
  private static final int RET_ERRNO = 0x00050000;

  private static final short LD_ABS = 0x20;
  private static final short JEQ = 0x15;
  private static final short JGE = 0x35;
  private static final short JSET = 0x45;
  private static final short RET = 0x06;

  private static final int OFFSET_NR = 0;
  private static final int OFFSET_ARCH = 4;
  private static final int OFFSET_ARG0 = 16;
  private static final int OFFSET_ARG1 = 24;

  /** Namespace flags of clone(2): a sandbox may fork and make threads, never new namespaces. */
  private static final int CLONE_NEW_ANY = 0x00020000 /* NEWNS */ | 0x02000000 /* NEWCGROUP */
      | 0x04000000 /* NEWUTS */ | 0x08000000 /* NEWIPC */ | 0x10000000 /* NEWUSER */
      | 0x20000000 /* NEWPID */ | 0x40000000 /* NEWNET */ | 0x00000080 /* NEWTIME */;

  private static final int SYS_IOCTL = 16;
  private static final int SYS_SOCKET = 41;
  private static final int SYS_CLONE = 56;
  private static final int SYS_PERSONALITY = 135;
  private static final int TIOCSTI = 0x5412;
  private static final int TIOCLINUX = 0x541c;

  /** Refused with EPERM whatever their arguments. */
  private static final int[] REFUSED = {
    101, // ptrace
    103, // syslog
    134, // uselib
    153, // vhangup
    155, // pivot_root
    159, // adjtimex
    163, // acct
    164, // settimeofday
    165, // mount
    166, // umount2
    167, // swapon
    168, // swapoff
    169, // reboot
    170, // sethostname
    171, // setdomainname
    172, // iopl
    173, // ioperm
    174, // create_module
    175, // init_module
    176, // delete_module
    177, // get_kernel_syms
    178, // query_module
    179, // quotactl
    180, // nfsservctl
    212, // lookup_dcookie
    227, // clock_settime
    246, // kexec_load
    248, // add_key
    249, // request_key
    250, // keyctl
    272, // unshare
    298, // perf_event_open
    300, // fanotify_init
    303, // name_to_handle_at
    304, // open_by_handle_at
    305, // clock_adjtime
    308, // setns
    310, // process_vm_readv
    311, // process_vm_writev
    313, // finit_module
    320, // kexec_file_load
    321, // bpf
    323, // userfaultfd
    428, // open_tree
    429, // move_mount
    430, // fsopen
    431, // fsconfig
    432, // fsmount
    433, // fspick
    442, // mount_setattr
  };

  /**
   * Refused with ENOSYS, so that callers fall back to older calls: glibc retries clone3 as clone
   * only on ENOSYS (EPERM would break every new thread), and io_uring users fall back to plain
   * I/O.
   */
  private static final int[] NOT_IMPLEMENTED = {
    425, // io_uring_setup
    426, // io_uring_enter
    427, // io_uring_register
    435, // clone3
  };

  private final ByteArrayOutputStream program = new ByteArrayOutputStream();

  private SeccompFilter() {}

  /** The filter program, ready to be read by bwrap. */
  public static byte[] program() {
    return new SeccompFilter().build();
  }

  private byte[] build() {
    load(OFFSET_ARCH);
    emit(JEQ, 1, 0, AUDIT_ARCH_X86_64);
    ret(RET_ERRNO | EPERM);
    load(OFFSET_NR);
    emit(JGE, 0, 1, X32_SYSCALL_BIT);
    ret(RET_ERRNO | EPERM);
    for (int nr : REFUSED) {
      refuse(nr, EPERM);
    }
    for (int nr : NOT_IMPLEMENTED) {
      refuse(nr, ENOSYS);
    }
    // clone: allowed unless it asks for a namespace.
    emit(JEQ, 0, 4, SYS_CLONE);
    load(OFFSET_ARG0);
    emit(JSET, 0, 1, CLONE_NEW_ANY);
    ret(RET_ERRNO | EPERM);
    ret(RET_ALLOW);
    // socket: only local, IPv4 and IPv6 families (no netlink, packet, vsock...).
    emit(JEQ, 0, 6, SYS_SOCKET);
    load(OFFSET_ARG0);
    emit(JEQ, 3, 0, 1 /* AF_UNIX */);
    emit(JEQ, 2, 0, 2 /* AF_INET */);
    emit(JEQ, 1, 0, 10 /* AF_INET6 */);
    ret(RET_ERRNO | EPERM);
    ret(RET_ALLOW);
    // personality: only the harmless queries and the Linux personalities.
    emit(JEQ, 0, 6, SYS_PERSONALITY);
    load(OFFSET_ARG0);
    emit(JEQ, 3, 0, 0 /* PER_LINUX */);
    emit(JEQ, 2, 0, 8 /* PER_LINUX32 */);
    emit(JEQ, 1, 0, 0xffffffff /* query */);
    ret(RET_ERRNO | EPERM);
    ret(RET_ALLOW);
    // ioctl: no faking terminal input.
    emit(JEQ, 0, 5, SYS_IOCTL);
    load(OFFSET_ARG1);
    emit(JEQ, 1, 0, TIOCSTI);
    emit(JEQ, 0, 1, TIOCLINUX);
    ret(RET_ERRNO | EPERM);
    ret(RET_ALLOW);
    ret(RET_ALLOW);
    return program.toByteArray();
  }

  private void refuse(int nr, int errno) {
    emit(JEQ, 0, 1, nr);
    ret(RET_ERRNO | errno);
  }

  private void load(int offset) {
    emit(LD_ABS, 0, 0, offset);
  }

  private void ret(int value) {
    emit(RET, 0, 0, value);
  }

  private void emit(short code, int jumpIfTrue, int jumpIfFalse, int k) {
    ByteBuffer record = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    record.putShort(code).put((byte) jumpIfTrue).put((byte) jumpIfFalse).putInt(k);
    program.writeBytes(record.array());
  }
}
