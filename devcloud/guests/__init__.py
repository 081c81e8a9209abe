"""devcloud's tiny real guests (`--guests tiny`): one qemu per server, a Debian cloud kernel
and a busybox initramfs that takes the Neutron port's IP by DHCP.

    image.py      build the kernel + initramfs from Debian packages, cached (make guest-image)
    initramfs.py  what the initramfs holds: busybox, virtio-net modules, /init
    cpio.py       the newc cpio writer for it
    network.py    slirp arguments that hand the port's IP to the port's MAC, nothing leaves
    runner.py     launching, boot queue, cap, reset/stop, noticing a guest that dies
    monitor.py    qemu's HMP monitor over its unix socket
"""
