//! Reading input one line at a time without ever holding more than the
//! line limit in memory: a longer line is skipped to its end and reported.

use std::io::{self, BufRead};

/// One line of input.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Line<'b> {
    /// The line's text, without its `\n` (or `\r\n`).
    Text(&'b str),
    /// The line was longer than the limit; its bytes were skipped.
    TooLong,
    /// The line is not UTF-8.
    NotUtf8,
}

/// Reads the next line into `buf` (cleared first), keeping at most `max`
/// bytes of it; `None` at the end of input. O(line length) time, O(min(line
/// length, max)) memory.
///
/// # Errors
/// Any read error of `input` other than `Interrupted`.
pub(super) fn next_line<'b>(
    input: &mut impl BufRead,
    buf: &'b mut Vec<u8>,
    max: usize,
) -> io::Result<Option<Line<'b>>> {
    buf.clear();
    let (mut overlong, mut any) = (false, false);
    loop {
        let chunk = match input.fill_buf() {
            Ok(chunk) => chunk,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            if !any {
                return Ok(None);
            }
            break;
        }
        any = true;
        let newline = chunk.iter().position(|&b| b == b'\n');
        let take = newline.unwrap_or(chunk.len());
        if !overlong {
            if buf.len().saturating_add(take) > max {
                overlong = true;
                buf.clear();
            } else {
                buf.extend_from_slice(chunk.get(..take).unwrap_or_default());
            }
        }
        input.consume(if newline.is_some() { take + 1 } else { take });
        if newline.is_some() {
            break;
        }
    }
    if overlong {
        return Ok(Some(Line::TooLong));
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    Ok(Some(std::str::from_utf8(buf).map_or(Line::NotUtf8, Line::Text)))
}

#[cfg(test)]
mod tests {
    use std::io::BufReader;

    use super::*;

    fn lines(input: &[u8], max: usize, capacity: usize) -> Vec<String> {
        let mut reader = BufReader::with_capacity(capacity, input);
        let mut buf = Vec::new();
        let mut out = Vec::new();
        while let Some(line) = next_line(&mut reader, &mut buf, max).unwrap() {
            out.push(match line {
                Line::Text(s) => s.to_owned(),
                Line::TooLong => "<too long>".into(),
                Line::NotUtf8 => "<not utf-8>".into(),
            });
            assert!(buf.capacity() <= max.max(8) * 2 + 16, "buffered {} bytes", buf.capacity());
        }
        out
    }

    #[test]
    fn lines_split_on_newlines_with_or_without_carriage_returns() {
        assert_eq!(lines(b"a\r\nbb\n\nccc", 10, 4), ["a", "bb", "", "ccc"]);
        assert_eq!(lines(b"", 10, 4), Vec::<String>::new());
        assert_eq!(lines(b"x\n", 10, 4), ["x"]);
    }

    #[test]
    fn an_overlong_line_is_skipped_and_reading_goes_on() {
        let mut input = vec![b'y'; 10_000];
        input.extend_from_slice(b"\nok\n");
        assert_eq!(lines(&input, 16, 7), ["<too long>", "ok"]);
        assert_eq!(lines(b"0123456789", 10, 3), ["0123456789"]);
        assert_eq!(lines(b"0123456789a", 10, 3), ["<too long>"]);
    }

    #[test]
    fn invalid_utf8_is_reported_per_line() {
        assert_eq!(lines(b"\xff\xfe\nfine\n", 10, 4), ["<not utf-8>", "fine"]);
    }
}
