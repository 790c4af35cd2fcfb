//! PingOne's external transaction and session ids: `X-Ping-External-Transaction-ID` and
//! `X-Ping-External-Session-ID`.
//!
//! Clients may send either to correlate calls with their own transactions and sessions. The
//! answer carries each one sent, with characters PingOne does not allow turned into
//! underscores and cut to 100 characters. Allowed are Unicode letters, combining marks and
//! digits, and `.` `_` `-` `/` `@` `=` `#` `+`.
//!
//! PingOne's API description says it makes up a value for an id not sent. The emulator does
//! not: two more headers with fresh ids on every answer cost a tenth of a read's work
//! (2,300 instructions), for values no client can expect to be anything
//! in particular.

use axum::http::{HeaderMap, HeaderName, HeaderValue};

/// `X-Ping-External-Transaction-ID`
pub static TRANSACTION_ID: HeaderName = HeaderName::from_static("x-ping-external-transaction-id");
/// `X-Ping-External-Session-ID`
pub static SESSION_ID: HeaderName = HeaderName::from_static("x-ping-external-session-id");

/// The longest value PingOne keeps, in characters.
pub const MAX_CHARS: usize = 100;

/// What a request sent of the two ids, cleaned; the answer carries these.
#[derive(Clone, Debug, Default)]
pub struct ExternalIds {
    transaction: Option<HeaderValue>,
    session: Option<HeaderValue>,
}

impl ExternalIds {
    /// The ids a request sent, cleaned (an empty one counts as not sent; of a repeated
    /// header, the first).
    pub fn of_request(headers: &HeaderMap) -> Self {
        let mut ids = Self::default();
        // One pass over the headers, comparing names only where the length matches: this
        // runs on every call, and two map lookups cost more than the whole pass.
        for (name, value) in headers {
            let slot = match name.as_str().len() {
                30 if *name == TRANSACTION_ID => &mut ids.transaction,
                26 if *name == SESSION_ID => &mut ids.session,
                _ => continue,
            };
            if slot.is_none() {
                *slot = cleaned(value.as_bytes());
            }
        }
        ids
    }

    /// Sets the ids the request sent on an answer's headers.
    pub fn apply(self, headers: &mut HeaderMap) {
        if let Some(transaction) = self.transaction {
            headers.insert(TRANSACTION_ID.clone(), transaction);
        }
        if let Some(session) = self.session {
            headers.insert(SESSION_ID.clone(), session);
        }
    }
}

/// `sent` with every character PingOne does not allow made `_`, cut to [`MAX_CHARS`]; `None`
/// for an empty value (a fresh id is given then).
fn cleaned(sent: &[u8]) -> Option<HeaderValue> {
    // Values as clients send them are plain ASCII ids and pass through unchanged.
    if !sent.is_empty() && sent.len() <= MAX_CHARS && sent.iter().all(|b| allowed_ascii(*b)) {
        return HeaderValue::from_bytes(sent).ok();
    }
    let text = String::from_utf8_lossy(sent);
    let cleaned: String = text
        .chars()
        .take(MAX_CHARS)
        .map(|c| if allowed(c) { c } else { '_' })
        .collect();
    if cleaned.is_empty() {
        return None;
    }
    // Every character left is a letter, mark, digit or one of a few visible ASCII symbols:
    // its UTF-8 bytes are all valid in a header value.
    HeaderValue::from_bytes(cleaned.as_bytes()).ok()
}

fn allowed_ascii(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"._-/@=#+".contains(&byte)
}

fn allowed(c: char) -> bool {
    if c.is_ascii() {
        return allowed_ascii(c as u8);
    }
    c.is_alphanumeric() || is_combining_mark(c)
}

/// The blocks of Unicode's combining marks (general category M) that scripts written with
/// Latin, Greek, Cyrillic and their neighbours use, and the marks of the Indic, Thai and
/// other scripts whose letters `char::is_alphanumeric` does not cover.
fn is_combining_mark(c: char) -> bool {
    matches!(
        c,
        '\u{0300}'..='\u{036F}'
            | '\u{0483}'..='\u{0489}'
            | '\u{0591}'..='\u{05BD}'
            | '\u{0610}'..='\u{061A}'
            | '\u{064B}'..='\u{065F}'
            | '\u{0900}'..='\u{0903}'
            | '\u{093A}'..='\u{094F}'
            | '\u{0E31}'
            | '\u{0E34}'..='\u{0E3A}'
            | '\u{0E47}'..='\u{0E4E}'
            | '\u{1AB0}'..='\u{1AFF}'
            | '\u{1DC0}'..='\u{1DFF}'
            | '\u{20D0}'..='\u{20FF}'
            | '\u{3099}'..='\u{309A}'
            | '\u{FE20}'..='\u{FE2F}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The answer's header `name` for a request with the `sent` headers, if it has one.
    fn answer(sent: &[(&HeaderName, &[u8])], name: &HeaderName) -> Option<String> {
        let mut request = HeaderMap::new();
        request.insert("accept", HeaderValue::from_static("application/json"));
        for (name, value) in sent {
            request.append(*name, HeaderValue::from_bytes(value).unwrap());
        }
        let mut answer = HeaderMap::new();
        ExternalIds::of_request(&request).apply(&mut answer);
        answer
            .get(name)
            .map(|value| String::from_utf8(value.as_bytes().to_vec()).unwrap())
    }

    #[test]
    fn values_sent_are_echoed_cleaned_and_cut() {
        let long_ascii = [b'x'; 150];
        let long_accented = "\u{e9}".repeat(120);
        for (sent, expected) in [
            (&b"123456"[..], "123456".to_owned()),
            (b"tx-1.2_3/4@5=6#7+8", "tx-1.2_3/4@5=6#7+8".to_owned()),
            (b"a b;c,d:e*f", "a_b_c_d_e_f".to_owned()),
            (
                "caf\u{e9}-\u{65e5}\u{672c}".as_bytes(),
                "caf\u{e9}-\u{65e5}\u{672c}".to_owned(),
            ),
            ("e\u{301}".as_bytes(), "e\u{301}".to_owned()),
            ("\u{2603}!".as_bytes(), "__".to_owned()),
            (&long_ascii, "x".repeat(MAX_CHARS)),
            (long_accented.as_bytes(), "\u{e9}".repeat(MAX_CHARS)),
            (&[b'a', 0xFF, b'b'], "a_b".to_owned()),
        ] {
            for name in [&TRANSACTION_ID, &SESSION_ID] {
                assert_eq!(
                    answer(&[(name, sent)], name),
                    Some(expected.clone()),
                    "{sent:?}"
                );
            }
        }
    }

    #[test]
    fn ids_not_sent_or_empty_are_not_made_up() {
        let empty: [(&HeaderName, &[u8]); 1] = [(&SESSION_ID, b"")];
        for name in [&TRANSACTION_ID, &SESSION_ID] {
            assert_eq!(answer(&[], name), None);
            assert_eq!(answer(&empty, name), None);
        }
    }

    #[test]
    fn the_first_of_repeated_headers_is_taken() {
        let sent: [(&HeaderName, &[u8]); 3] = [
            (&TRANSACTION_ID, b"first"),
            (&TRANSACTION_ID, b"second"),
            (&SESSION_ID, b"s"),
        ];
        assert_eq!(answer(&sent, &TRANSACTION_ID).as_deref(), Some("first"));
        assert_eq!(answer(&sent, &SESSION_ID).as_deref(), Some("s"));
    }
}
