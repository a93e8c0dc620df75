//! Which endpoint URLs `PUT /api/v1/users/me/webhook` accepts: exactly the openapi.yaml
//! pattern (absolute http(s), DNS name or IPv4, optional port 1..65535, path and query, no user
//! info, no fragment, at most 2048 characters), checked by hand in one linear pass.
//!
//! In production a URL naming `localhost` (or `*.localhost`) or a refused IPv4 literal is
//! refused here already; the worker still re-checks every resolved address at delivery time.

use std::net::IpAddr;

use crate::webhooks::ssrf;

pub const URL_MAX: usize = 2048;

/// Why `url` is not an acceptable endpoint, if it is not.
pub fn check(url: &str, production: bool) -> Result<(), &'static str> {
    if url.chars().nth(URL_MAX).is_some() {
        return Err("must be at most 2048 characters");
    }
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or("must be an absolute http:// or https:// URL")?;
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let (host, port) = match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    if !is_host(host) {
        return Err("must name a DNS host or an IPv4 address (no user info)");
    }
    if let Some(port) = port
        && !is_port(port)
    {
        return Err("must have a port between 1 and 65535");
    }
    let (path, query) = match tail.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (tail, None),
    };
    if !escapes_ok(path, is_path_char)
        || !escapes_ok(query.unwrap_or(""), |c| is_path_char(c) || c == b'?')
    {
        return Err("must have a path and query of URL characters (no fragment)");
    }
    if production && refused_in_production(url) {
        return Err("must not point at localhost or a private, loopback or link-local address");
    }
    Ok(())
}

/// Dot-separated labels of 1..63 letters, digits and inner hyphens.
fn is_host(host: &str) -> bool {
    !host.is_empty()
        && host.split('.').all(|label| {
            let bytes = label.as_bytes();
            (1..=63).contains(&bytes.len())
                && bytes
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
                && bytes[0] != b'-'
                && bytes[bytes.len() - 1] != b'-'
        })
}

/// 1..65535 without leading zeros.
fn is_port(port: &str) -> bool {
    port.len() <= 5
        && port.bytes().all(|b| b.is_ascii_digit())
        && !port.starts_with('0')
        && port.parse::<u32>().is_ok_and(|n| (1..=65_535).contains(&n))
}

fn is_path_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"._~!$&'()*+,;=:@/-".contains(&c)
}

/// Every byte allowed by `allowed`, or a `%` followed by two hex digits.
fn escapes_ok(text: &str, allowed: impl Fn(u8) -> bool) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            if !(i + 2 < bytes.len()
                && bytes[i + 1].is_ascii_hexdigit()
                && bytes[i + 2].is_ascii_hexdigit())
            {
                return false;
            }
            i += 3;
        } else if allowed(bytes[i]) {
            i += 1;
        } else {
            return false;
        }
    }
    true
}

/// `localhost`, `*.localhost`, or a host that the URL parser reads as a refused IPv4 address
/// (it also reads `2130706433` and `0x7f.1` as 127.0.0.1, as HTTP clients do).
fn refused_in_production(url: &str) -> bool {
    let Ok(parsed) = ::url::Url::parse(url) else {
        return true;
    };
    match parsed.host() {
        Some(::url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
        Some(::url::Host::Ipv4(ip)) => ssrf::is_refused(IpAddr::V4(ip), false),
        Some(::url::Host::Ipv6(ip)) => ssrf::is_refused(IpAddr::V6(ip), false),
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_what_the_pattern_accepts() {
        for ok in [
            "https://example.com/hooks/tasks",
            "http://example.com",
            "http://a",
            "https://a-b.c0.example:8443/x?y=1&z=%2F",
            "http://10.0.0.1:65535/",
            "http://127.0.0.1:8080/hook?",
            "https://example.com/p@th:(x)~!$&'*+,;=",
            "https://example.com?q=a/b?c",
        ] {
            assert_eq!(check(ok, false), Ok(()), "{ok}");
        }
    }

    #[test]
    fn refuses_what_the_pattern_refuses() {
        for bad in [
            "",
            "example.com",
            "ftp://example.com",
            "HTTP://example.com",
            "https://",
            "https://user:pw@example.com",
            "https://example.com#frag",
            "https://example.com/a#frag",
            "https://-a.com",
            "https://a-.com",
            "https://a..com",
            "https://example.com.",
            "https://[::1]/",
            "https://example.com:0",
            "https://example.com:080",
            "https://example.com:65536",
            "https://example.com:",
            "https://example.com/%zz",
            "https://example.com/%2",
            "https://example.com/ space",
            "https://exa_mple.com",
            "https://exämple.com",
        ] {
            assert!(check(bad, false).is_err(), "{bad}");
        }
        let long = format!("https://example.com/{}", "a".repeat(URL_MAX));
        assert!(check(&long, false).is_err());
        let label = "a".repeat(64);
        assert!(check(&format!("https://{label}.com"), false).is_err());
    }

    #[test]
    fn production_refuses_local_targets() {
        for bad in [
            "http://localhost:8080/",
            "http://LOCALHOST/",
            "http://api.localhost/",
            "http://127.0.0.1/",
            "http://10.0.0.1/",
            "http://169.254.169.254/latest/meta-data",
            "http://192.168.1.10/",
            "http://2130706433/",
            "http://0x7f.1/",
        ] {
            assert!(
                check(bad, false).is_ok(),
                "allowed outside production: {bad}"
            );
            assert!(check(bad, true).is_err(), "{bad}");
        }
        assert_eq!(check("https://example.com/hook", true), Ok(()));
        assert_eq!(check("http://8.8.8.8/hook", true), Ok(()));
    }
}
