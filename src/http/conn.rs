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
use std::task::{Context, Poll};
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
            let io = TokioIo::new(Watched::new(stream, limits.stall_timeout));
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
    let code = Code::Overloaded;
    let body = serde_json::to_string(&Problem {
        kind: format!("{}{}", super::PROBLEM_BASE, code.as_str()),
        title: code.title().to_owned(),
        status: 503,
        detail: "the daemon has as many connections open as it takes; retry in a second".into(),
        code: code.as_str().to_owned(),
    })
    .unwrap_or_default();
    let answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/problem+json\r\n\
         retry-after: 1\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut left = answer.as_bytes();
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
