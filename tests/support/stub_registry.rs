//! A stub npm registry for tests: just enough HTTP/1.1 for npm's staged publishing.
//!
//! It serves `GET /-/stage/<id>/tarball` with the bytes it was given, answers
//! `POST /-/stage/<id>/approve` with `200 {"ok":true}`, 404s everything else, and records every
//! request (method, path, headers, body) so a test can assert what npm asked for.
//!
//! npm (npm-registry-fetch over minipass-fetch) keeps connections alive and may send several
//! requests on one, or open a second connection while the first idles, so every connection has
//! its own thread and requests are framed by `content-length` (or chunked encoding). Every read
//! is bounded by a timeout; dropping the stub closes the listener and every open connection.
//! Only `std` is used.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long a connection may sit idle, or a request take to arrive, before it is closed.
const IO_TIMEOUT: Duration = Duration::from_secs(30);
/// Headers past this size are refused: a stub, not a server, but never unbounded.
const MAX_HEAD: usize = 64 * 1024;

/// One request as the stub received it.
#[derive(Debug, Clone)]
pub struct Request {
    /// `GET`, `POST`, ….
    pub method: String,
    /// The request target, e.g. `/-/stage/<id>/tarball`.
    pub path: String,
    /// Header names lowercased, in the order sent.
    pub headers: Vec<(String, String)>,
    /// The body (after removing chunked framing).
    pub body: Vec<u8>,
}

impl Request {
    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What the server threads share with the test.
#[derive(Default)]
struct Shared {
    /// Every request so far, in arrival order.
    requests: Mutex<Vec<Request>>,
    /// Signalled on each new request.
    arrived: Condvar,
    /// Set on drop: the accept loop and connections stop.
    stop: AtomicBool,
    /// Clones of open connections, shut down on drop so no thread waits out its timeout.
    open: Mutex<Vec<TcpStream>>,
}

/// A running stub registry on `127.0.0.1`; stops when dropped.
pub struct StubRegistry {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl StubRegistry {
    /// Starts a stub serving each `(stage id, tarball bytes)` pair.
    pub fn start(stages: &[(&str, &[u8])]) -> StubRegistry {
        Self::start_with(stages, |_| Vec::new())
    }

    /// [`StubRegistry::start`], also serving `GET PATH` with the bytes `routes` gives for the
    /// registry's base URL (a packument names its tarball by URL): what `npm pack NAME@VERSION`
    /// fetches of a published package.
    pub fn start_with(
        stages: &[(&str, &[u8])],
        routes: impl FnOnce(&str) -> Vec<(String, Vec<u8>)>,
    ) -> StubRegistry {
        let mut map: HashMap<String, Vec<u8>> = stages
            .iter()
            .map(|(id, bytes)| (format!("/-/stage/{id}/tarball"), bytes.to_vec()))
            .collect();
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the stub registry");
        let addr = listener.local_addr().expect("the stub's address");
        map.extend(routes(&format!("http://{addr}/")));
        let stages: Arc<HashMap<String, Vec<u8>>> = Arc::new(map);
        let shared = Arc::new(Shared::default());
        let accept = {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || accept_loop(&listener, &shared, &stages))
        };
        StubRegistry {
            addr,
            shared,
            accept: Some(accept),
        }
    }

    /// The registry URL to give npm (`npm_config_registry`), with a trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Request> {
        self.shared
            .requests
            .lock()
            .expect("no request handler panicked holding the log")
            .clone()
    }

    /// Waits up to `timeout` for a request matching `want`, returning it.
    pub fn wait_for(&self, timeout: Duration, want: impl Fn(&Request) -> bool) -> Option<Request> {
        let deadline = Instant::now() + timeout;
        let mut log = self
            .shared
            .requests
            .lock()
            .expect("no request handler panicked holding the log");
        loop {
            if let Some(found) = log.iter().find(|r| want(r)) {
                return Some(found.clone());
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            log = self
                .shared
                .arrived
                .wait_timeout(log, left)
                .expect("no request handler panicked holding the log")
                .0;
        }
    }
}

impl Drop for StubRegistry {
    fn drop(&mut self) {
        if let Ok(open) = self.shared.open.lock() {
            self.shared.stop.store(true, Ordering::SeqCst);
            for s in open.iter() {
                let _ = s.shutdown(Shutdown::Both);
            }
        }
        // Wake the accept loop with a connection of our own; it then sees `stop`.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(5));
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
    }
}

fn accept_loop(
    listener: &TcpListener,
    shared: &Arc<Shared>,
    stages: &Arc<HashMap<String, Vec<u8>>>,
) {
    let mut workers = Vec::new();
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        {
            // Checked under the lock `drop` takes to set `stop`: a connection is either
            // shut down by `drop` or never served.
            let mut open = shared
                .open
                .lock()
                .expect("no thread panicked holding `open`");
            if shared.stop.load(Ordering::SeqCst) {
                break;
            }
            if let Ok(clone) = stream.try_clone() {
                open.push(clone);
            }
        }
        let (shared, stages) = (Arc::clone(shared), Arc::clone(stages));
        workers.push(std::thread::spawn(move || {
            let _ = serve(stream, &shared, &stages);
        }));
    }
    for w in workers {
        let _ = w.join();
    }
}

/// Serves requests on one connection until the client closes it, asks to, or idles too long.
fn serve(
    stream: TcpStream,
    shared: &Shared,
    stages: &HashMap<String, Vec<u8>>,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    let mut out = stream.try_clone()?;
    let mut input = BufReader::new(stream);
    while !shared.stop.load(Ordering::SeqCst) {
        let Some(req) = read_request(&mut input)? else {
            return Ok(());
        };
        let close = req
            .header("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"));
        let (status, content_type, body) = answer(&req, stages);
        {
            let mut log = shared
                .requests
                .lock()
                .expect("no request handler panicked holding the log");
            log.push(req);
            shared.arrived.notify_all();
        }
        let head = format!(
            "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: {}\r\n\r\n",
            body.len(),
            if close { "close" } else { "keep-alive" }
        );
        out.write_all(head.as_bytes())?;
        out.write_all(&body)?;
        out.flush()?;
        if close {
            return Ok(());
        }
    }
    Ok(())
}

/// The stub's whole routing table.
fn answer(
    req: &Request,
    stages: &HashMap<String, Vec<u8>>,
) -> (&'static str, &'static str, Vec<u8>) {
    let stage = |suffix: &str| {
        req.path
            .strip_prefix("/-/stage/")
            .and_then(|rest| rest.strip_suffix(suffix))
            .map(str::to_owned)
    };
    let path = req.path.split('?').next().unwrap_or_default();
    match req.method.as_str() {
        "GET" => {
            if let Some(bytes) = stages.get(path) {
                let kind = if path.ends_with(".tgz") || path.ends_with("/tarball") {
                    "application/octet-stream"
                } else {
                    "application/json"
                };
                return ("200 OK", kind, bytes.clone());
            }
        }
        "POST"
            if stage("/approve")
                .is_some_and(|id| stages.contains_key(&format!("/-/stage/{id}/tarball"))) =>
        {
            return ("200 OK", "application/json", br#"{"ok":true}"#.to_vec());
        }
        _ => {}
    }
    (
        "404 Not Found",
        "application/json",
        br#"{"error":"not found"}"#.to_vec(),
    )
}

/// Reads one request; `None` when the client closed the connection between requests.
fn read_request(input: &mut BufReader<TcpStream>) -> std::io::Result<Option<Request>> {
    let mut head_len = 0;
    let mut request_line = String::new();
    // Tolerate empty lines before a request line (RFC 9112 §2.2).
    while request_line.trim().is_empty() {
        request_line.clear();
        let n = input.read_line(&mut request_line)?;
        if n == 0 {
            return Ok(None);
        }
        head_len += n;
        if head_len > MAX_HEAD {
            return Err(bad("request head too large"));
        }
    }
    let mut parts = request_line.split_whitespace();
    let (Some(method), Some(path)) = (parts.next(), parts.next()) else {
        return Err(bad("malformed request line"));
    };
    let (method, path) = (method.to_owned(), path.to_owned());
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        let n = input.read_line(&mut line)?;
        head_len += n;
        if n == 0 {
            return Err(bad("connection closed inside the headers"));
        }
        if head_len > MAX_HEAD {
            return Err(bad("request head too large"));
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            break;
        }
        let (k, v) = line
            .split_once(':')
            .ok_or_else(|| bad("malformed header"))?;
        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
    }
    let mut req = Request {
        method,
        path,
        headers,
        body: Vec::new(),
    };
    if req
        .header("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
    {
        req.body = read_chunked(input)?;
    } else if let Some(len) = req.header("content-length") {
        let len: u64 = len.parse().map_err(|_| bad("bad content-length"))?;
        input.by_ref().take(len).read_to_end(&mut req.body)?;
        if req.body.len() as u64 != len {
            return Err(bad("connection closed inside the body"));
        }
    }
    Ok(Some(req))
}

fn read_chunked(input: &mut BufReader<TcpStream>) -> std::io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let mut size_line = String::new();
        input.read_line(&mut size_line)?;
        let hex = size_line.trim().split(';').next().unwrap_or("");
        let size = u64::from_str_radix(hex, 16).map_err(|_| bad("bad chunk size"))?;
        if size == 0 {
            // Trailers, then the empty line.
            loop {
                let mut line = String::new();
                if input.read_line(&mut line)? == 0 || line.trim().is_empty() {
                    return Ok(body);
                }
            }
        }
        let before = body.len() as u64;
        input.by_ref().take(size).read_to_end(&mut body)?;
        if body.len() as u64 - before != size {
            return Err(bad("connection closed inside a chunk"));
        }
        let mut crlf = String::new();
        input.read_line(&mut crlf)?;
    }
}

fn bad(what: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, what)
}
