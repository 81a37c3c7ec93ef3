//! Connections: the accept loop with a connection limit, and the timeouts that keep slow
//! or silent clients from holding the daemon.
//!
//! - **Header-read timeout** (hyper's): the headers of a request must arrive within
//!   `header_read_timeout` of the connection starting to wait for them — on a new
//!   connection, and on one kept alive after an answer, so it is also how long an idle
//!   connection is kept. A client trickling its headers a byte a second is cut off.
//! - **Stall timeout** ([`Watched`]): a connection on which no byte moves either way for
//!   `stall_timeout` while the daemon waits on it is closed — a client that stops reading
//!   a streamed NDJSON answer, or stops sending a body half-way. It is longer than the
//!   request timeout, so a request still working is answered (503) before it fires.
//! - **Connection limit**: past `max_connections` open connections, a new one is answered
//!   `503` problem+json with `Retry-After` and closed, so idle sockets cannot use up the
//!   process's descriptors and starve `/healthz`.
//! - **hyper's own answers** ([`ProblemBodies`]): a request head hyper cannot parse
//!   (400, 414 URI too long, 431 headers too large) is answered by hyper itself with a
//!   bare head; the socket wrapper writes a problem+json answer in its place.
//!
//! Shutdown is graceful: no new connections, each open one finishes its request.

use super::error::Problem;
use crate::error::Code;
use crate::metrics::Metrics;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tokio::time::{Instant, Sleep};

/// The connection-level limits.
#[derive(Clone, Copy, Debug)]
pub struct ConnLimits {
    pub header_read_timeout: Duration,
    pub stall_timeout: Duration,
    pub max_connections: usize,
}

/// How long a refused connection is given to take its 503.
const REFUSAL_TIMEOUT: Duration = Duration::from_secs(1);
/// Refused connections answered at once; past this, a refused connection is just closed.
const MAX_REFUSALS_IN_FLIGHT: usize = 64;

/// Serves `router` on `listener` until `shutdown` completes, then waits for the open
/// connections to finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnLimits,
    metrics: Arc<Metrics>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let connections = Arc::new(Semaphore::new(limits.max_connections));
    let refusals = Arc::new(Semaphore::new(MAX_REFUSALS_IN_FLIGHT));
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, _peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // EMFILE and the like: wait for descriptors to come back.
                    tracing::warn!(error = %err, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let Ok(permit) = connections.clone().try_acquire_owned() else {
            metrics.connection_refused();
            if let Ok(refusal) = refusals.clone().try_acquire_owned() {
                tokio::spawn(async move {
                    let _ = tokio::time::timeout(REFUSAL_TIMEOUT, refuse(stream)).await;
                    drop(refusal);
                });
            }
            continue;
        };
        let service = TowerToHyperService::new(router.clone());
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            let io = TokioIo::new(ProblemBodies::new(Watched::new(
                stream,
                limits.stall_timeout,
            )));
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read_timeout);
            let mut conn = std::pin::pin!(builder.serve_connection(io, service));
            let result = tokio::select! {
                result = conn.as_mut() => result,
                _ = stop.changed() => {
                    conn.as_mut().graceful_shutdown();
                    conn.as_mut().await
                }
            };
            if let Err(err) = result {
                tracing::debug!(error = %err, "connection ended");
            }
            drop(permit);
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    // Every connection task holds a permit until it ends.
    let _ = connections
        .acquire_many(u32::try_from(limits.max_connections).unwrap_or(u32::MAX))
        .await;
}

/// Answers a connection over the limit with a 503 problem and closes it.
async fn refuse(stream: tokio::net::TcpStream) {
    let answer = problem_answer(
        "HTTP/1.1 503 Service Unavailable",
        503,
        Code::Overloaded,
        "the daemon has as many connections open as it takes; retry in a second",
        "retry-after: 1\r\n",
    );
    let mut left = answer.as_slice();
    while !left.is_empty() {
        if stream.writable().await.is_err() {
            return;
        }
        match stream.try_write(left) {
            Ok(n) => left = &left[n..],
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => {}
            Err(_) => return,
        }
    }
    // Read what the client sent until it closes, so that closing does not reset the
    // connection before the client has read the answer.
    let mut sink = [0u8; 1024];
    loop {
        if stream.readable().await.is_err() {
            return;
        }
        match stream.try_read(&mut sink) {
            Ok(0) => return,
            Ok(_) => {}
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => {}
            Err(_) => return,
        }
    }
}

/// A complete HTTP/1.1 answer carrying `problem` as problem+json: `status_line` (without
/// its CRLF), then `headers` (whole lines), and `connection: close`.
fn problem_answer(
    status_line: &str,
    status: u16,
    code: Code,
    detail: &str,
    headers: &str,
) -> Vec<u8> {
    let body = Problem::new(status, code.as_str(), code.title(), detail.to_owned()).to_json();
    let mut answer = format!(
        "{status_line}\r\ncontent-type: application/problem+json\r\n{headers}\
         connection: close\r\ncontent-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    answer.extend_from_slice(&body);
    answer
}

/// The longest head hyper writes for an error of its own: a status line, `content-length:
/// 0`, `date` (about 100 bytes). A head not complete within this many bytes is not one.
const MAX_BARE_HEAD: usize = 256;

/// The problem hyper's own error answers get, by status: hyper answers 400, 414 and 431
/// itself when it cannot parse a request head.
fn bare_problem(status: u16) -> (Code, &'static str) {
    match status {
        400 => (
            Code::InvalidRequest,
            "the request line or a header is not valid HTTP/1.1",
        ),
        414 => (
            Code::UriTooLong,
            "the request target is longer than the daemon reads",
        ),
        431 => (
            Code::HeadersTooLarge,
            "the request headers are over the daemon's size or count limit",
        ),
        s if s < 500 => (Code::InvalidRequest, "the request could not be read"),
        _ => (Code::Internal, "the server could not answer the request"),
    }
}

/// If `buf` starts with a complete error head without a body (status ≥ 400,
/// `content-length: 0`, no content type) — the answer hyper writes itself for a request
/// it cannot parse — the length of that head and the problem+json answer replacing it.
/// Status line and other header lines (`date`) are kept. Cheap on every other write: it
/// looks no further than the first ten bytes of a write that is not such a head.
fn rewrite_bare_error(buf: &[u8]) -> Option<(usize, Vec<u8>)> {
    let first = buf.get(..10)?;
    if !(first.starts_with(b"HTTP/1.1 ") || first.starts_with(b"HTTP/1.0 "))
        || !matches!(first[9], b'4' | b'5')
    {
        return None;
    }
    let window = &buf[..buf.len().min(MAX_BARE_HEAD)];
    let end = window.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&buf[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    let status: u16 = status_line.get(9..12)?.parse().ok()?;
    let mut empty = false;
    let mut kept = String::new();
    for line in lines {
        let (name, value) = line.split_once(':')?;
        if name.eq_ignore_ascii_case("content-length") {
            if value.trim() != "0" {
                return None;
            }
            empty = true;
        } else if name.eq_ignore_ascii_case("content-type")
            || name.eq_ignore_ascii_case("transfer-encoding")
        {
            return None;
        } else if !name.eq_ignore_ascii_case("connection") {
            kept.push_str(line);
            kept.push_str("\r\n");
        }
    }
    if !empty {
        return None;
    }
    let (code, detail) = bare_problem(status);
    let answer = problem_answer(status_line, status, code, detail, &kept);
    Some((end + 4, answer))
}

/// A socket that gives hyper's own error answers a problem+json body.
///
/// hyper 1 answers a request head it cannot parse (400, 414 URI too long, 431 headers
/// too large) itself, with a bare head, and has no hook to change it. Every answer the
/// daemon writes carries a body (the router gives every 4xx/5xx a problem), so a write
/// that starts with a complete error head with `content-length: 0` is hyper's: it is
/// reported to hyper as written while the problem answer is written in its place. hyper
/// closes the connection after such an answer, so the answer says `connection: close`.
/// What is left of a partly written answer is written before anything else, flushes and
/// shutdown included. Every other write passes through untouched.
pub struct ProblemBodies<T> {
    inner: T,
    /// The answer written in place of hyper's head, and how much of it is written.
    pending: Vec<u8>,
    sent: usize,
}

impl<T> ProblemBodies<T> {
    pub fn new(inner: T) -> Self {
        Self {
            inner,
            pending: Vec::new(),
            sent: 0,
        }
    }
}

impl<T: AsyncWrite + Unpin> ProblemBodies<T> {
    /// Writes what is left of a rewritten answer.
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.sent < self.pending.len() {
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &self.pending[self.sent..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.sent += n;
        }
        if !self.pending.is_empty() {
            self.pending = Vec::new();
            self.sent = 0;
        }
        Poll::Ready(Ok(()))
    }

    /// Takes `buf` if it starts with hyper's bare error head: its length, reported to
    /// hyper as written, while the problem answer is being written.
    fn poll_rewrite(
        &mut self,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Option<Poll<io::Result<usize>>> {
        let (taken, answer) = rewrite_bare_error(buf)?;
        self.pending = answer;
        self.sent = 0;
        Some(match self.poll_pending(cx) {
            Poll::Ready(Err(err)) => Poll::Ready(Err(err)),
            // The rest goes out before the next write, flush or shutdown.
            _ => Poll::Ready(Ok(taken)),
        })
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for ProblemBodies<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for ProblemBodies<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        if let Some(rewritten) = this.poll_rewrite(cx, buf) {
            return rewritten;
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        // A head is written by hyper as one slice, the first with bytes in it.
        if let Some(first) = bufs.iter().find(|b| !b.is_empty()) {
            if let Some(rewritten) = this.poll_rewrite(cx, first) {
                return rewritten;
            }
        }
        Pin::new(&mut this.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

/// A socket that fails with `TimedOut` once no byte has moved either way for `stall`
/// while it is waited on.
pub struct Watched<T> {
    inner: T,
    stall: Duration,
    last: Instant,
    timer: Pin<Box<Sleep>>,
}

impl<T> Watched<T> {
    pub fn new(inner: T, stall: Duration) -> Self {
        let now = Instant::now();
        Self {
            inner,
            stall,
            last: now,
            timer: Box::pin(tokio::time::sleep_until(now + stall)),
        }
    }

    fn moved(&mut self) {
        self.last = Instant::now();
    }

    /// Pending until the stall deadline; then the error that ends the connection.
    fn poll_stall(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        loop {
            let deadline = self.last + self.stall;
            if self.timer.deadline() != deadline {
                self.timer.as_mut().reset(deadline);
            }
            match self.timer.as_mut().poll(cx) {
                Poll::Ready(()) if Instant::now() >= self.last + self.stall => {
                    return Poll::Ready(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "no byte moved within the stall timeout",
                    ))
                }
                Poll::Ready(()) => continue,
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Watched<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(result) => {
                if buf.filled().len() > before {
                    this.moved();
                }
                Poll::Ready(result)
            }
            Poll::Pending => this.poll_stall(cx).map(Err),
        }
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Watched<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_write(cx, buf) {
            Poll::Ready(result) => {
                if matches!(result, Ok(n) if n > 0) {
                    this.moved();
                }
                Poll::Ready(result)
            }
            Poll::Pending => this.poll_stall(cx).map(Err),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_write_vectored(cx, bufs) {
            Poll::Ready(result) => {
                if matches!(result, Ok(n) if n > 0) {
                    this.moved();
                }
                Poll::Ready(result)
            }
            Poll::Pending => this.poll_stall(cx).map(Err),
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_flush(cx) {
            Poll::Ready(result) => Poll::Ready(result),
            Poll::Pending => this.poll_stall(cx).map(Err),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::poll_fn;

    async fn pair() -> (tokio::net::TcpStream, tokio::net::TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let client = tokio::net::TcpStream::connect(addr).await.expect("connect");
        let (server, _) = listener.accept().await.expect("accept");
        (client, server)
    }

    /// A peer taking at most `chunk` bytes a write and, with `stalls`, saying "not now"
    /// before every write; it keeps what it took.
    struct Peer {
        taken: Vec<u8>,
        chunk: usize,
        stalls: bool,
        stall_next: bool,
        shut: bool,
    }

    impl Peer {
        fn new(chunk: usize, stalls: bool) -> Self {
            Self {
                taken: Vec::new(),
                chunk,
                stalls,
                stall_next: stalls,
                shut: false,
            }
        }

        fn stall(&mut self, cx: &mut Context<'_>) -> bool {
            if self.stall_next {
                self.stall_next = false;
                cx.waker().wake_by_ref();
                return true;
            }
            self.stall_next = self.stalls;
            false
        }
    }

    impl AsyncWrite for Peer {
        fn poll_write(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<io::Result<usize>> {
            let this = self.get_mut();
            if this.stall(cx) {
                return Poll::Pending;
            }
            let n = buf.len().min(this.chunk);
            this.taken.extend_from_slice(&buf[..n]);
            Poll::Ready(Ok(n))
        }

        fn poll_write_vectored(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            bufs: &[io::IoSlice<'_>],
        ) -> Poll<io::Result<usize>> {
            let this = self.get_mut();
            if this.stall(cx) {
                return Poll::Pending;
            }
            let mut n = 0;
            for buf in bufs {
                let take = buf.len().min(this.chunk - n);
                this.taken.extend_from_slice(&buf[..take]);
                n += take;
            }
            Poll::Ready(Ok(n))
        }

        fn is_write_vectored(&self) -> bool {
            true
        }

        fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }

        fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            self.get_mut().shut = true;
            Poll::Ready(Ok(()))
        }
    }

    /// What hyper 1.x writes for a request head it cannot parse.
    const HYPER_431: &[u8] = b"HTTP/1.1 431 Request Header Fields Too Large\r\n\
        content-length: 0\r\ndate: Wed, 02 Dec 2026 05:16:01 GMT\r\n\r\n";

    /// Writes all of `buf` the way hyper does: again with the rest after a short write.
    async fn write_all(io: &mut ProblemBodies<Peer>, buf: &[u8]) {
        let mut left = buf;
        while !left.is_empty() {
            let n = poll_fn(|cx| Pin::new(&mut *io).poll_write(cx, left))
                .await
                .expect("write");
            assert!(n > 0, "a write took nothing");
            left = &left[n..];
        }
    }

    /// Splits an answer into its head lines and its body, checking `content-length`.
    fn answer_parts(answer: &[u8]) -> (Vec<String>, serde_json::Value) {
        let text = std::str::from_utf8(answer).expect("utf-8");
        let (head, body) = text.split_once("\r\n\r\n").expect("a complete head");
        let lines: Vec<String> = head.split("\r\n").map(str::to_owned).collect();
        let length = format!("content-length: {}", body.len());
        assert!(lines.contains(&length), "{length} not in {lines:?}");
        (lines, serde_json::from_str(body).expect("a JSON body"))
    }

    #[tokio::test]
    async fn hypers_bare_error_head_goes_out_as_a_problem_even_a_few_bytes_at_a_time() {
        let mut io = ProblemBodies::new(Peer::new(7, true));
        let taken = poll_fn(|cx| Pin::new(&mut io).poll_write(cx, HYPER_431))
            .await
            .expect("write");
        assert_eq!(taken, HYPER_431.len(), "hyper is told its head went out");
        // The rest of the answer goes out before anything hyper writes next.
        write_all(&mut io, b"after").await;
        poll_fn(|cx| Pin::new(&mut io).poll_flush(cx))
            .await
            .expect("flush");
        let out = io.inner.taken.clone();
        let (answer, after) = out.split_at(out.len() - 5);
        assert_eq!(after, b"after");
        let (lines, problem) = answer_parts(answer);
        assert_eq!(lines[0], "HTTP/1.1 431 Request Header Fields Too Large");
        for line in [
            "content-type: application/problem+json",
            "connection: close",
            "date: Wed, 02 Dec 2026 05:16:01 GMT",
        ] {
            assert!(lines.iter().any(|l| l == line), "{line} not in {lines:?}");
        }
        assert!(
            !lines.contains(&"content-length: 0".to_owned()),
            "{lines:?}"
        );
        assert_eq!(problem["status"], 431);
        assert_eq!(problem["code"], "headers_too_large");
        assert_eq!(problem["title"], Code::HeadersTooLarge.title());
        assert_eq!(
            problem["type"],
            format!("{}headers_too_large", super::super::PROBLEM_BASE)
        );
    }

    #[tokio::test]
    async fn a_shutdown_finishes_a_partly_written_problem_first() {
        let mut io = ProblemBodies::new(Peer::new(5, true));
        let bare = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
        write_all(&mut io, bare).await;
        assert!(
            io.inner.taken.len() < 50,
            "the peer took only a few bytes so far"
        );
        poll_fn(|cx| Pin::new(&mut io).poll_shutdown(cx))
            .await
            .expect("shutdown");
        assert!(io.inner.shut);
        let (lines, problem) = answer_parts(&io.inner.taken);
        assert_eq!(lines[0], "HTTP/1.1 400 Bad Request");
        assert_eq!(
            lines.iter().filter(|l| l.starts_with("connection")).count(),
            1
        );
        assert_eq!(problem["status"], 400);
        assert_eq!(problem["code"], "invalid_request");
    }

    #[tokio::test]
    async fn a_vectored_bare_head_is_rewritten_and_the_slices_after_it_wait() {
        let mut io = ProblemBodies::new(Peer::new(1 << 16, false));
        let bare = b"HTTP/1.1 414 URI Too Long\r\ncontent-length: 0\r\n\r\n";
        let bufs = [
            io::IoSlice::new(b""),
            io::IoSlice::new(bare),
            io::IoSlice::new(b"next"),
        ];
        let taken = poll_fn(|cx| Pin::new(&mut io).poll_write_vectored(cx, &bufs))
            .await
            .expect("write");
        assert_eq!(taken, bare.len(), "only the head is taken");
        let (lines, problem) = answer_parts(&io.inner.taken);
        assert_eq!(lines[0], "HTTP/1.1 414 URI Too Long");
        assert_eq!(problem["status"], 414);
        assert_eq!(problem["code"], "uri_too_long");
    }

    #[tokio::test]
    async fn every_other_answer_passes_byte_for_byte() {
        let answers: [&[u8]; 6] = [
            b"HTTP/1.1 200 OK\r\ncontent-length: 15\r\n\r\n{\"status\":\"ok\"}",
            b"HTTP/1.1 404 Not Found\r\ncontent-type: application/problem+json\r\n\
              content-length: 2\r\n\r\n{}",
            // The answer to a HEAD request: the problem's length, no body.
            b"HTTP/1.1 404 Not Found\r\ncontent-type: application/problem+json\r\n\
              content-length: 120\r\n\r\n",
            b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n",
            b"HTTP/1.1 500 Internal Server Error\r\ntransfer-encoding: chunked\r\n\r\n",
            // A head cut short is not looked into.
            b"HTTP/1.1 400 Bad Request\r\ncontent-len",
        ];
        for answer in answers {
            let mut io = ProblemBodies::new(Peer::new(1 << 16, false));
            write_all(&mut io, answer).await;
            assert_eq!(
                io.inner.taken,
                answer,
                "{}",
                String::from_utf8_lossy(answer)
            );
            let mut io = ProblemBodies::new(Peer::new(1 << 16, true));
            let (head, body) = answer.split_at(answer.len() / 2);
            let bufs = [io::IoSlice::new(head), io::IoSlice::new(body)];
            let n = poll_fn(|cx| Pin::new(&mut io).poll_write_vectored(cx, &bufs))
                .await
                .expect("write");
            assert_eq!(n, answer.len());
            assert_eq!(io.inner.taken, answer);
        }
        // Bytes that only look like a head inside a longer stream pass too.
        let mut io = ProblemBodies::new(Peer::new(3, false));
        write_all(&mut io, b"HTTP/1.1 400 Bad").await;
        write_all(&mut io, b" Request\r\ncontent-length: 0\r\n\r\n").await;
        assert_eq!(
            io.inner.taken,
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n"
        );
    }

    #[tokio::test]
    async fn a_peer_that_stops_reading_stalls_the_writes_into_a_timeout() {
        let (_client, server) = pair().await;
        let mut watched = Watched::new(server, Duration::from_millis(300));
        let chunk = vec![0u8; 1 << 16];
        let started = std::time::Instant::now();
        let mut written = 0usize;
        let err = loop {
            match poll_fn(|cx| Pin::new(&mut watched).poll_write(cx, &chunk)).await {
                Ok(n) => written += n,
                Err(err) => break err,
            }
        };
        assert_eq!(err.kind(), io::ErrorKind::TimedOut, "after {written} bytes");
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[tokio::test]
    async fn a_silent_peer_times_out_and_a_sending_one_does_not() {
        let (client, server) = pair().await;
        let mut watched = Watched::new(server, Duration::from_millis(400));
        let mut buf = [0u8; 8];
        for _ in 0..4 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            client.writable().await.expect("writable");
            client.try_write(b"x").expect("write");
            let mut read = ReadBuf::new(&mut buf);
            poll_fn(|cx| Pin::new(&mut watched).poll_read(cx, &mut read))
                .await
                .expect("a byte every 200 ms keeps the socket alive");
        }
        let mut read = ReadBuf::new(&mut buf);
        let err = poll_fn(|cx| Pin::new(&mut watched).poll_read(cx, &mut read))
            .await
            .expect_err("silent");
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
    }
}
