//! The TLS words of a PostgreSQL address, taken out before the client reads
//! the rest (it knows none of them but `sslmode`, and that one only in part):
//! from a `postgresql://` URL's parameters (percent-decoded) or libpq's
//! `key=value` words (quotes and escapes undone).

/// The TLS settings an address gives (libpq's names); `None` when it does
/// not give one (its environment variable or default then holds).
#[derive(Default, Clone, PartialEq, Eq)]
pub(in crate::store::postgres) struct TlsWords {
    /// `sslmode`.
    pub mode: Option<String>,
    /// `sslrootcert`.
    pub root: Option<String>,
    /// `sslcert`: the client certificate (chain) file.
    pub cert: Option<String>,
    /// `sslkey`: its private key file.
    pub key: Option<String>,
    /// `sslcrl`: a file of certificate revocation lists.
    pub crl: Option<String>,
    /// `sslcrldir`: a folder of them.
    pub crl_dir: Option<String>,
    /// `sslpassword`: the passphrase of an encrypted key.
    pub password: Option<String>,
    /// `sslcertmode`: whether a client certificate is sent.
    pub cert_mode: Option<String>,
}

/// Debug output shows `sslpassword` as `***` (it may reach a log).
impl std::fmt::Debug for TlsWords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsWords")
            .field("mode", &self.mode)
            .field("root", &self.root)
            .field("cert", &self.cert)
            .field("key", &self.key)
            .field("crl", &self.crl)
            .field("crl_dir", &self.crl_dir)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("cert_mode", &self.cert_mode)
            .finish()
    }
}

impl TlsWords {
    /// Takes `value` when `key` is one of the TLS words; whether it did.
    fn take(&mut self, key: &str, value: String) -> bool {
        let slot = match key {
            "sslmode" => &mut self.mode,
            "sslrootcert" => &mut self.root,
            "sslcert" => &mut self.cert,
            "sslkey" => &mut self.key,
            "sslcrl" => &mut self.crl,
            "sslcrldir" => &mut self.crl_dir,
            "sslpassword" => &mut self.password,
            "sslcertmode" => &mut self.cert_mode,
            _ => return false,
        };
        *slot = Some(value);
        true
    }
}

/// The TLS words taken out of a `postgresql://` URL or libpq `key=value`
/// words: (the rest, the TLS words).
pub(in crate::store::postgres) fn split(url: &str) -> (String, TlsWords) {
    let mut tls = TlsWords::default();
    let rest = if super::super::is_url(url) {
        match url.split_once('?') {
            Some((head, query)) => {
                let kept: Vec<&str> = query
                    .split('&')
                    .filter(|pair| {
                        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                        !tls.take(key, percent_decoded(value))
                    })
                    .collect();
                if kept.is_empty() {
                    head.to_string()
                } else {
                    format!("{head}?{}", kept.join("&"))
                }
            }
            None => url.to_string(),
        }
    } else {
        match words(url) {
            Some(pairs) => {
                let kept: Vec<&str> = pairs
                    .into_iter()
                    .filter(|(key, value, _)| !tls.take(key, value.clone()))
                    .map(|(_, _, text)| text)
                    .collect();
                kept.join(" ")
            }
            None => url.to_string(),
        }
    };
    (rest, tls)
}

/// `text` with `%XX` escapes decoded (left as it is when they are not
/// UTF-8).
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

/// libpq's `key = value` words: (key, value unquoted, the word's text);
/// `None` when they do not parse (the client then says why).
fn words(text: &str) -> Option<Vec<(&str, String, &str)>> {
    let mut out = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let start = rest;
        let key_end = rest.find(|c: char| c == '=' || c.is_whitespace())?;
        let key = &rest[..key_end];
        rest = rest[key_end..].trim_start().strip_prefix('=')?.trim_start();
        let mut value = String::new();
        if let Some(quoted) = rest.strip_prefix('\'') {
            let mut chars = quoted.char_indices();
            let end = loop {
                match chars.next()? {
                    (_, '\\') => value.push(chars.next()?.1),
                    (i, '\'') => break i + 1,
                    (_, c) => value.push(c),
                }
            };
            rest = &quoted[end..];
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            value.push_str(&rest[..end]);
            rest = &rest[end..];
        }
        out.push((key, value, &start[..start.len() - rest.len()]));
        rest = rest.trim_start();
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::{TlsWords, split};

    fn some(text: &str) -> Option<String> {
        Some(text.to_string())
    }

    #[test]
    fn the_tls_settings_come_out_of_a_url() {
        assert_eq!(
            split("postgresql://amy@db/c?sslmode=verify-full&sslrootcert=/etc/ca%20x.pem"),
            (
                "postgresql://amy@db/c".to_string(),
                TlsWords {
                    mode: some("verify-full"),
                    root: some("/etc/ca x.pem"),
                    ..TlsWords::default()
                }
            )
        );
        assert_eq!(
            split("postgres://db/c?application_name=x&sslmode=require&connect_timeout=3"),
            (
                "postgres://db/c?application_name=x&connect_timeout=3".to_string(),
                TlsWords {
                    mode: some("require"),
                    ..TlsWords::default()
                }
            )
        );
        assert_eq!(
            split("postgresql://db/c"),
            ("postgresql://db/c".to_string(), TlsWords::default())
        );
    }

    #[test]
    fn client_certificate_and_revocation_words_come_out_too() {
        let (rest, tls) = split(
            "postgresql://db/c?sslcert=/h/amy.crt&sslkey=/h/amy%2Bkey.pem&sslcrl=/h/r.crl\
             &sslcrldir=/h/crls&sslpassword=pw&sslcertmode=disable&port=5433",
        );
        assert_eq!(rest, "postgresql://db/c?port=5433");
        assert_eq!(
            tls,
            TlsWords {
                cert: some("/h/amy.crt"),
                key: some("/h/amy+key.pem"),
                crl: some("/h/r.crl"),
                crl_dir: some("/h/crls"),
                password: some("pw"),
                cert_mode: some("disable"),
                ..TlsWords::default()
            }
        );
    }

    #[test]
    fn the_passphrase_never_shows_in_debug_output() {
        let (_, tls) = split("host=db sslpassword='s3cret pass' sslkey=/k");
        assert_eq!(tls.password.as_deref(), Some("s3cret pass"));
        let shown = format!("{tls:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("password: Some(\"***\")"), "{shown}");
    }

    #[test]
    fn the_tls_settings_come_out_of_key_value_words() {
        assert_eq!(
            split("host=db sslmode = verify-ca  user=amy sslrootcert='/a b/c\\'s.pem' dbname=c"),
            (
                "host=db user=amy dbname=c".to_string(),
                TlsWords {
                    mode: some("verify-ca"),
                    root: some("/a b/c's.pem"),
                    ..TlsWords::default()
                }
            )
        );
        assert_eq!(
            split("host=/tmp password='a b' sslkey='/k/my key' dbname=c"),
            (
                "host=/tmp password='a b' dbname=c".to_string(),
                TlsWords {
                    key: some("/k/my key"),
                    ..TlsWords::default()
                }
            )
        );
        // Words that do not parse are left for the client to refuse.
        assert_eq!(
            split("host=db sslmode"),
            ("host=db sslmode".to_string(), TlsWords::default())
        );
    }
}
