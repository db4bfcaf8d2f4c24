//! A static file server for the built site, on 127.0.0.1 and a free port, for as long as the
//! returned [`Site`] lives. It serves exactly what a static host would: files, with the right
//! content types (`application/wasm` matters), and `index.html` for directories — at the root,
//! or under a sub-path, as a host that serves the site from a folder would. With
//! [`Site::serve_compressed`] it also compresses as a static host does (brotli or gzip, by the
//! browser's `Accept-Encoding`), for the load-time benchmark.

use std::collections::HashMap;
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
        Self::start(root, sub_path, Arc::new(HashMap::new()))
    }

    /// Serves `root` as [`Site::serve`] does, each file compressed once beforehand at the
    /// settings a static host's precompression uses (brotli quality 11, gzip level 9) and sent
    /// in the encoding the browser asks for first (brotli, else gzip, else none).
    ///
    /// # Errors
    /// When `root` has no `index.html`, a file cannot be read, or no port can be bound.
    pub fn serve_compressed(root: &Path) -> Result<Self, String> {
        let mut compressed = HashMap::new();
        let mut folders = vec![root.to_path_buf()];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).map_err(|error| format!("{}: {error}", folder.display()))?.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    folders.push(path);
                } else {
                    let body = std::fs::read(&path).map_err(|error| format!("{}: {error}", path.display()))?;
                    compressed.insert(path, Compressed::of(&body));
                }
            }
        }
        Self::start(root, "", Arc::new(compressed))
    }

    fn start(root: &Path, sub_path: &str, compressed: Arc<HashMap<PathBuf, Compressed>>) -> Result<Self, String> {
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
                    let compressed = Arc::clone(&compressed);
                    std::thread::spawn(move || {
                        let _ = respond(stream, &root, &prefix, &compressed);
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

/// A file's body compressed as a static host serves it.
#[derive(Debug)]
struct Compressed {
    brotli: Vec<u8>,
    gzip: Vec<u8>,
}

impl Compressed {
    fn of(body: &[u8]) -> Self {
        let mut brotli = brotli::CompressorWriter::new(Vec::new(), 4096, 11, 22);
        let _ = brotli.write_all(body);
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let _ = gzip.write_all(body);
        Self { brotli: brotli.into_inner(), gzip: gzip.finish().unwrap_or_default() }
    }
}

/// Sizes of the wizard's page as a static host sends it: `(file, raw, gzip, brotli)` for the
/// HTML and every script and module it loads at the start (the files of `root` itself, not of
/// the workbench's folder, nor the analysis worker's module, which the page starts once it has
/// rendered), at the settings of [`Site::serve_compressed`].
///
/// # Errors
/// When `root` cannot be read.
pub fn page_sizes(root: &Path) -> Result<Vec<(String, usize, usize, usize)>, String> {
    let mut sizes = Vec::new();
    for entry in std::fs::read_dir(root).map_err(|error| format!("{}: {error}", root.display()))?.flatten() {
        let path = entry.path();
        let wanted = path.extension().and_then(|extension| extension.to_str()).is_some_and(|extension| ["html", "js", "wasm", "css"].contains(&extension));
        let worker = entry.file_name().to_string_lossy().starts_with("portcullis-analysis-worker");
        if path.is_file() && wanted && !worker {
            let body = std::fs::read(&path).map_err(|error| format!("{}: {error}", path.display()))?;
            let compressed = Compressed::of(&body);
            sizes.push((entry.file_name().to_string_lossy().into_owned(), body.len(), compressed.gzip.len(), compressed.brotli.len()));
        }
    }
    sizes.sort();
    Ok(sizes)
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

fn respond(mut stream: TcpStream, root: &Path, prefix: &str, compressed: &HashMap<PathBuf, Compressed>) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut header = String::new();
    let mut accepted = String::new();
    while reader.read_line(&mut header)? > 2 {
        if let Some((name, value)) = header.split_once(':') {
            if name.trim().eq_ignore_ascii_case("accept-encoding") {
                accepted = value.trim().to_ascii_lowercase();
            }
        }
        header.clear();
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or_default(), parts.next().unwrap_or("/"));
    let found = (method == "GET" || method == "HEAD").then(|| resolve(root, prefix, target)).flatten();
    match found.and_then(|file| std::fs::read(&file).ok().map(|body| (file, body))) {
        Some((file, body)) => {
            let accepts = |name: &str| accepted.split(',').any(|coding| coding.split(';').next().map(str::trim) == Some(name));
            let (encoding, body) = match compressed.get(&file) {
                Some(compressed) if accepts("br") => ("Content-Encoding: br\r\nVary: Accept-Encoding\r\n", compressed.brotli.clone()),
                Some(compressed) if accepts("gzip") => ("Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n", compressed.gzip.clone()),
                _ => ("", body),
            };
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {}\r\n{encoding}Cache-Control: no-cache\r\nConnection: close\r\n\r\n",
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
