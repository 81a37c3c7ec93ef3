//! The CLI's side of the admin routes it needs while a daemon holds the data directory:
//! a plain HTTP/1.1 request over TCP to the daemon (`POST /v1/admin/snapshot`), its reply
//! written to a file. Only `http://` URLs: the admin API is meant for loopback or a
//! private network (put a TLS proxy in front otherwise).

use crate::error::{Error, Result};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::time::Duration;

/// How long the daemon may take to start answering (it writes the snapshot first).
const ANSWER_TIMEOUT: Duration = Duration::from_secs(3600);

/// Asks the daemon at `base` (`http://host:port`) for `POST path` with an empty body and
/// writes the reply's body to `out`; a reply other than 200 becomes an error carrying the
/// problem's detail.
pub fn post_to_file(base: &str, path: &str, key: Option<&str>, out: &Path) -> Result<u64> {
    let authority = base
        .trim_end_matches('/')
        .strip_prefix("http://")
        .ok_or_else(|| Error::invalid("the daemon URL must start with http://"))?;
    if authority.is_empty() || authority.contains('/') {
        return Err(Error::invalid(
            "the daemon URL is http://host:port, without a path",
        ));
    }
    let addr = authority
        .to_socket_addrs()
        .map_err(|err| Error::invalid(format!("cannot resolve {authority}: {err}")))?
        .next()
        .ok_or_else(|| Error::invalid(format!("{authority} resolves to no address")))?;
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(10)).map_err(|err| {
        Error::invalid(format!(
            "the data directory is in use, and no daemon answers at {base}: {err} (give the daemon's address with --url)"
        ))
    })?;
    stream.set_read_timeout(Some(ANSWER_TIMEOUT))?;
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Length: 0\r\nConnection: close\r\n"
    );
    if let Some(key) = key {
        request.push_str(&format!("Authorization: Bearer {key}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes())?;
    let mut reader = BufReader::with_capacity(1 << 20, stream);
    let mut status_line = String::new();
    reader.read_line(&mut status_line)?;
    let status: u16 = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| Error::Internal("the daemon's reply is not HTTP".into()))?;
    let mut length: Option<u64> = None;
    let mut chunked = false;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Err(Error::Internal("the daemon closed the connection".into()));
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                length = value.parse().ok();
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = value.eq_ignore_ascii_case("chunked");
            }
        }
    }
    let mut body: Box<dyn Read> = if chunked {
        Box::new(Chunked {
            inner: reader,
            left: 0,
            done: false,
        })
    } else {
        match length {
            Some(length) => Box::new(reader.take(length)),
            None => Box::new(reader),
        }
    };
    if status != 200 {
        let mut text = String::new();
        body.take(64 << 10).read_to_string(&mut text)?;
        let detail = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v.get("detail").and_then(|d| d.as_str()).map(str::to_owned))
            .unwrap_or_default();
        return Err(Error::invalid(format!(
            "the daemon answered {status}{}{detail}",
            if detail.is_empty() { "" } else { ": " }
        )));
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(out)?;
    let copied = std::io::copy(&mut body, &mut file)?;
    if length.is_some_and(|length| copied != length) {
        return Err(Error::Internal("the download ended early".into()));
    }
    file.sync_all()?;
    Ok(copied)
}

/// A chunked transfer-encoded body.
struct Chunked<R> {
    inner: R,
    left: u64,
    done: bool,
}

impl<R: BufRead> Read for Chunked<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.done {
            return Ok(0);
        }
        if self.left == 0 {
            let mut line = String::new();
            self.inner.read_line(&mut line)?;
            let size = line.trim().split(';').next().unwrap_or("");
            self.left = u64::from_str_radix(size, 16)
                .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidData))?;
            if self.left == 0 {
                self.done = true;
                return Ok(0);
            }
        }
        let want = buf.len().min(self.left as usize);
        let read = self.inner.read(&mut buf[..want])?;
        if read == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        self.left -= read as u64;
        if self.left == 0 {
            let mut end = String::new();
            self.inner.read_line(&mut end)?;
        }
        Ok(read)
    }
}
