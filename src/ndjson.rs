//! NDJSON framing, written once: how a body, a file or a stream splits into numbered
//! lines, and the one limit on a line's length that every reader applies.

use std::io::BufRead;

/// Lines per batch when a file or a data set is loaded (one store commit each).
pub const BATCH_LINES: usize = 5_000;

/// The lines of `body` with their numbers, counting from `first`; a final line without
/// a newline counts, an empty body has none. A trailing `\r` is left to the JSON parser
/// (it is white space there).
pub fn lines(body: &[u8], first: u64) -> impl Iterator<Item = (u64, &[u8])> {
    let body = body.strip_suffix(b"\n").unwrap_or(body);
    (!body.is_empty())
        .then(|| body.split(|b| *b == b'\n'))
        .into_iter()
        .flatten()
        .enumerate()
        .map(move |(i, line)| (first + i as u64, line))
}

/// Whether a line holds nothing but white space.
pub fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

/// The one line-length rule: `Err` with the client's message when `len` bytes exceed
/// `max`.
pub fn check_length(len: usize, max: usize) -> Result<(), String> {
    if len > max {
        Err(format!("line is {len} bytes; the limit is {max}"))
    } else {
        Ok(())
    }
}

/// Splits NDJSON into slices of at most `lines` whole lines.
pub fn chunks(data: &[u8], lines: usize) -> impl Iterator<Item = &[u8]> {
    let mut rest = data;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut end = 0;
        for _ in 0..lines.max(1) {
            match rest[end..].iter().position(|b| *b == b'\n') {
                Some(i) => end += i + 1,
                None => {
                    end = rest.len();
                    break;
                }
            }
            if end >= rest.len() {
                break;
            }
        }
        let (chunk, tail) = rest.split_at(end);
        rest = tail;
        Some(chunk)
    })
}

/// Reads up to `lines` whole lines from `reader` into `out` (cleared first); returns how
/// many it read, 0 at the end of the input.
pub fn read_chunk(
    reader: &mut impl BufRead,
    lines: usize,
    out: &mut Vec<u8>,
) -> std::io::Result<usize> {
    out.clear();
    let mut read = 0;
    while read < lines {
        if reader.read_until(b'\n', out)? == 0 {
            break;
        }
        read += 1;
    }
    Ok(read)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_numbered_and_an_unterminated_last_line_counts() {
        let got: Vec<(u64, &[u8])> = lines(b"a\n\nb", 7).collect();
        assert_eq!(got, vec![(7, &b"a"[..]), (8, &b""[..]), (9, &b"b"[..])]);
        assert_eq!(lines(b"a\n", 1).count(), 1);
        assert_eq!(lines(b"", 1).count(), 0);
        assert!(is_blank(b" \r") && !is_blank(b" x"));
    }

    #[test]
    fn chunks_keep_whole_lines() {
        let data = b"a\nb\nc\nd";
        let got: Vec<&[u8]> = chunks(data, 2).collect();
        assert_eq!(got, vec![&b"a\nb\n"[..], &b"c\nd"[..]]);
        assert_eq!(chunks(b"", 3).count(), 0);
    }

    #[test]
    fn read_chunk_reads_whole_lines_up_to_the_count() {
        let mut reader = std::io::Cursor::new(b"a\nb\nc".to_vec());
        let mut out = Vec::new();
        assert_eq!(read_chunk(&mut reader, 2, &mut out).expect("read"), 2);
        assert_eq!(out, b"a\nb\n");
        assert_eq!(read_chunk(&mut reader, 2, &mut out).expect("read"), 1);
        assert_eq!(out, b"c");
        assert_eq!(read_chunk(&mut reader, 2, &mut out).expect("read"), 0);
    }

    #[test]
    fn the_length_rule_names_both_sizes() {
        assert!(check_length(10, 10).is_ok());
        assert_eq!(
            check_length(11, 10),
            Err("line is 11 bytes; the limit is 10".into())
        );
    }
}
