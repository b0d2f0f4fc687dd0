//! A TCP proxy to the test PostgreSQL server that a test can cut, silence and restore, to see
//! how the service behaves while its database is unreachable without stopping the shared server.
//! Cut: every connection is reset and new ones refused. Silent: connections stay open and new
//! ones are accepted, but nothing gets through either way (a firewall dropping packets; on
//! loopback the kernel still acknowledges, so only the service's own deadlines can notice).

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub struct FlakyProxy {
    pub port: u16,
    up: Arc<AtomicBool>,
    silent: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<TcpStream>>>,
    stop: Arc<AtomicBool>,
}

/// Where the proxy forwards to: the TCP address of the libpq default server.
fn upstream() -> String {
    let host = std::env::var("PGHOST")
        .ok()
        .filter(|host| !host.is_empty() && !host.starts_with('/'))
        .unwrap_or_else(|| "127.0.0.1".into());
    let port = std::env::var("PGPORT")
        .ok()
        .filter(|port| !port.is_empty())
        .unwrap_or_else(|| "5432".into());
    format!("{host}:{port}")
}

fn pipe(mut from: TcpStream, mut to: TcpStream, silent: Arc<AtomicBool>) {
    let mut buffer = [0u8; 16 * 1024];
    loop {
        match from.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            // Swallowed: the other side never hears of it.
            Ok(_) if silent.load(Ordering::SeqCst) => {}
            Ok(count) => {
                if to.write_all(&buffer[..count]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown(Shutdown::Both);
    let _ = from.shutdown(Shutdown::Both);
}

impl FlakyProxy {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        listener.set_nonblocking(true).expect("non-blocking accept");
        let port = listener.local_addr().expect("proxy address").port();
        let up = Arc::new(AtomicBool::new(true));
        let silent = Arc::new(AtomicBool::new(false));
        let open: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let (up_flag, silent_flag, open_list, stop_flag) = (up.clone(), silent.clone(), open.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop_flag.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((client, _)) => {
                        let _ = client.set_nonblocking(false);
                        if !up_flag.load(Ordering::SeqCst) {
                            let _ = client.shutdown(Shutdown::Both);
                            continue;
                        }
                        if silent_flag.load(Ordering::SeqCst) {
                            // Accepted and never answered, like a connection into a black hole.
                            if let Ok(mut list) = open_list.lock() {
                                list.push(client);
                            }
                            continue;
                        }
                        let Ok(server) = TcpStream::connect(upstream()) else {
                            continue;
                        };
                        if let (Ok(client_copy), Ok(server_copy), Ok(mut list)) =
                            (client.try_clone(), server.try_clone(), open_list.lock())
                        {
                            list.push(client_copy);
                            list.push(server_copy);
                        }
                        let (client_read, server_read) =
                            (client.try_clone().expect("clone"), server.try_clone().expect("clone"));
                        let (outward, inward) = (silent_flag.clone(), silent_flag.clone());
                        std::thread::spawn(move || pipe(client_read, server, outward));
                        std::thread::spawn(move || pipe(server_read, client, inward));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        Self {
            port,
            up,
            silent,
            open,
            stop,
        }
    }

    /// Breaks every open connection and refuses new ones.
    pub fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        if let Ok(mut list) = self.open.lock() {
            for stream in list.drain(..) {
                let _ = stream.shutdown(Shutdown::Both);
            }
        }
    }

    /// Lets nothing through any more, without closing anything.
    pub fn silence(&self) {
        self.silent.store(true, Ordering::SeqCst);
    }

    /// Ends a cut or a silence. Connections that went silent are reset, as TCP would after a
    /// long silence: bytes they lost leave them unusable.
    pub fn restore(&self) {
        if self.silent.swap(false, Ordering::SeqCst) {
            self.cut();
        }
        self.up.store(true, Ordering::SeqCst);
    }

    /// A libpq connection string for `database` through the proxy.
    pub fn url_for(&self, database: &str) -> String {
        format!("host=127.0.0.1 port={} dbname={database}", self.port)
    }
}

impl Drop for FlakyProxy {
    fn drop(&mut self) {
        self.cut();
        self.stop.store(true, Ordering::SeqCst);
    }
}
