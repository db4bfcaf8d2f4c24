//! A static file server for the built site, on 127.0.0.1 and a free port, for as long as the
//! returned [`Site`] lives. It serves exactly what a static host would: files, with the right
//! content types (`application/wasm` matters), and `index.html` for directories — at the root,
//! or under a sub-path, as a host that serves the site from a folder would.

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A running static server; stops on drop.
#[derive(Debug)]
pub struct Site {
    url: String,
    stop: Arc<AtomicBool>,
    address: std::net::SocketAddr,
}

impl Site {
    /// Serves `root` on `http://127.0.0.1:<free port>/`.
    ///
    /// # Errors
    /// When `root` has no `index.html` or no port can be bound.
    pub fn serve(root: &Path) -> Result<Self, String> {
        Self::serve_under(root, "")
    }

    /// Serves `root` on `http://127.0.0.1:<free port>/<sub_path>/` (nothing outside it), to check
    /// that the site's addresses are relative. `sub_path` is one or more plain folder names
    /// separated by `/`, without leading or trailing `/` (empty: the server's root).
    ///
    /// # Errors
    /// When `root` has no `index.html` or no port can be bound.
    pub fn serve_under(root: &Path, sub_path: &str) -> Result<Self, String> {
        let prefix = if sub_path.is_empty() { "/".to_owned() } else { format!("/{sub_path}/") };
        if !root.join("index.html").is_file() {
            return Err(format!("{} has no index.html: build the site first (`make build`)", root.display()));
        }
        let listener = TcpListener::bind("127.0.0.1:0").map_err(|error| format!("cannot bind: {error}"))?;
        let address = listener.local_addr().map_err(|error| error.to_string())?;
        let stop = Arc::new(AtomicBool::new(false));
        let root = root.to_path_buf();
        let stopping = Arc::clone(&stop);
        let url = format!("http://{address}{prefix}");
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::Relaxed) {
                    break;
                }
                if let Ok(stream) = stream {
                    let root = root.clone();
                    let prefix = prefix.clone();
                    std::thread::spawn(move || {
                        let _ = respond(stream, &root, &prefix);
                    });
                }
            }
        });
        Ok(Self { url, stop, address })
    }

    /// The site's base URL, ending in `/`.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = TcpStream::connect(self.address); // wakes the accept loop so it sees the flag
    }
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|extension| extension.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css",
        Some("svg") => "image/svg+xml",
        Some("json" | "webmanifest") => "application/json",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

fn resolve(root: &Path, prefix: &str, target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next().unwrap_or_default();
    let path = path.strip_prefix(prefix)?;
    let mut file = root.to_path_buf();
    for part in path.split('/').filter(|part| !part.is_empty()) {
        if part == ".." || part.contains('\\') {
            return None;
        }
        file.push(part);
    }
    if file.is_dir() {
        file.push("index.html");
    }
    file.is_file().then_some(file)
}

fn respond(mut stream: TcpStream, root: &Path, prefix: &str) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut header = String::new();
    while reader.read_line(&mut header)? > 2 {
        header.clear();
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or_default(), parts.next().unwrap_or("/"));
    let found = (method == "GET" || method == "HEAD").then(|| resolve(root, prefix, target)).flatten();
    match found.and_then(|file| std::fs::read(&file).ok().map(|body| (file, body))) {
        Some((file, body)) => {
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n",
                content_type(&file),
                body.len()
            )?;
            if method == "GET" {
                stream.write_all(&body)?;
            }
        }
        None => stream.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found")?,
    }
    stream.flush()
}
