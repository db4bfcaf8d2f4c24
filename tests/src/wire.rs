//! Sending one raw Ethernet frame from inside a network namespace: the only unsafe code in the
//! project, confined to a thread that joins the namespace and exits.
#![allow(unsafe_code)]

use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd as _, FromRawFd as _, OwnedFd};

/// Sends `frame` (destination MAC first) out of interface `interface` of namespace `netns`.
/// Packet sockets bypass the sender's IP stack and netfilter, so the sender adds no noise.
pub(crate) fn send_frame(netns: &str, interface: &str, frame: Vec<u8>) -> Result<(), String> {
    let path = format!("/run/netns/{netns}");
    let interface = interface.to_owned();
    let sender = std::thread::spawn(move || -> io::Result<()> {
        let namespace = std::fs::File::open(&path)?;
        // SAFETY: setns only changes this short-lived thread's network namespace; the fd is open.
        if unsafe { libc::setns(namespace.as_raw_fd(), libc::CLONE_NEWNET) } != 0 {
            return Err(io::Error::last_os_error());
        }
        let name = CString::new(interface).map_err(|error| io::Error::new(io::ErrorKind::InvalidInput, error))?;
        // SAFETY: `name` is a valid NUL-terminated string for the duration of the call.
        let index = unsafe { libc::if_nametoindex(name.as_ptr()) };
        if index == 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: plain socket creation; the result is checked before use.
        let raw = unsafe { libc::socket(libc::AF_PACKET, libc::SOCK_RAW, 0) };
        if raw < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `raw` is a fresh, valid descriptor owned by nobody else.
        let socket = unsafe { OwnedFd::from_raw_fd(raw) };
        // SAFETY: sockaddr_ll is plain old data; all-zero is a valid value.
        let mut address: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
        address.sll_family = u16::try_from(libc::AF_PACKET).map_err(|error| io::Error::new(io::ErrorKind::InvalidInput, error))?;
        address.sll_ifindex = i32::try_from(index).map_err(|error| io::Error::new(io::ErrorKind::InvalidInput, error))?;
        address.sll_halen = 6;
        let destination = frame.get(..6).ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "frame too short"))?;
        address.sll_addr[..6].copy_from_slice(destination);
        // SAFETY: the buffer and address are valid for the lengths given.
        let sent = unsafe {
            libc::sendto(
                socket.as_raw_fd(),
                frame.as_ptr().cast(),
                frame.len(),
                0,
                std::ptr::from_ref(&address).cast(),
                u32::try_from(std::mem::size_of::<libc::sockaddr_ll>()).unwrap_or(u32::MAX),
            )
        };
        if usize::try_from(sent).ok() == Some(frame.len()) {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    });
    match sender.join() {
        Ok(result) => result.map_err(|error| format!("cannot send a frame in {netns}: {error}")),
        Err(_) => Err("the sending thread panicked".to_owned()),
    }
}
