//! The SSRF guard: a webhook URL is chosen by a user, so before every attempt the worker
//! resolves its host and refuses the request when *any* address is loopback, private,
//! link-local, metadata, multicast or otherwise not a public unicast address. The request is
//! then pinned to the checked addresses (`reqwest::ClientBuilder::resolve_to_addrs`), so a
//! DNS answer that changes between the check and the connection (DNS rebinding) cannot slip
//! a private address in.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// IPv4 networks no webhook may reach (docs/contract.md, "SSRF guard").
const REFUSED_V4: &[(Ipv4Addr, u8)] = &[
    (Ipv4Addr::new(0, 0, 0, 0), 8),
    (Ipv4Addr::new(10, 0, 0, 0), 8),
    (Ipv4Addr::new(100, 64, 0, 0), 10),
    (Ipv4Addr::new(127, 0, 0, 0), 8),
    (Ipv4Addr::new(169, 254, 0, 0), 16),
    (Ipv4Addr::new(172, 16, 0, 0), 12),
    (Ipv4Addr::new(192, 0, 0, 0), 24),
    (Ipv4Addr::new(192, 168, 0, 0), 16),
    (Ipv4Addr::new(198, 18, 0, 0), 15),
    (Ipv4Addr::new(224, 0, 0, 0), 4),
    (Ipv4Addr::new(240, 0, 0, 0), 4),
];

fn in_v4(ip: Ipv4Addr, (network, prefix): (Ipv4Addr, u8)) -> bool {
    let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
    u32::from(ip) & mask == u32::from(network) & mask
}

/// True when `ip` must not be called. `allow_loopback` (development and tests) lets 127/8 and
/// ::1 through, and nothing else.
pub fn is_refused(ip: IpAddr, allow_loopback: bool) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            if allow_loopback && v4.is_loopback() {
                return false;
            }
            REFUSED_V4.iter().any(|net| in_v4(v4, *net))
        }
        IpAddr::V6(v6) => {
            if allow_loopback && v6 == Ipv6Addr::LOCALHOST {
                return false;
            }
            let segments = v6.segments();
            // IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) reach an IPv4 host.
            let embedded_v4 = if let Some(v4) = v6.to_ipv4_mapped() {
                Some(v4)
            } else if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
                let [.., a, b, c, d] = v6.octets();
                Some(Ipv4Addr::new(a, b, c, d))
            } else {
                None
            };
            if let Some(v4) = embedded_v4 {
                return is_refused(IpAddr::V4(v4), allow_loopback);
            }
            v6.is_unspecified()
                || v6.is_loopback()
                || (segments[0] & 0xfe00) == 0xfc00 // fc00::/7, unique local
                || (segments[0] & 0xffc0) == 0xfe80 // fe80::/10, link-local
                || (segments[0] & 0xff00) == 0xff00 // ff00::/8, multicast
        }
    }
}

/// Where one attempt may connect, or why it may not.
#[derive(Debug)]
pub enum Target {
    /// The host is a name: connect only to these (checked) addresses.
    Resolved {
        host: String,
        addrs: Vec<SocketAddr>,
    },
    /// The host is an IP literal that passed the check.
    Literal,
}

#[derive(Debug)]
pub enum Refusal {
    /// A refused address: the delivery is dead at once, nothing is sent.
    Refused(String),
    /// The name did not resolve (a transient failure, retried like a connection error).
    Unresolvable(String),
}

/// Resolves the host of `url` and checks every address.
pub async fn check_target(url: &::url::Url, allow_loopback: bool) -> Result<Target, Refusal> {
    let port = url.port_or_known_default().unwrap_or(443);
    match url.host() {
        Some(::url::Host::Ipv4(ip)) => check_literal(IpAddr::V4(ip), allow_loopback),
        Some(::url::Host::Ipv6(ip)) => check_literal(IpAddr::V6(ip), allow_loopback),
        Some(::url::Host::Domain(name)) => {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((name, port))
                .await
                .map_err(|err| Refusal::Unresolvable(format!("cannot resolve {name}: {err}")))?
                .collect();
            if addrs.is_empty() {
                return Err(Refusal::Unresolvable(format!("{name} has no address")));
            }
            if let Some(bad) = addrs.iter().find(|a| is_refused(a.ip(), allow_loopback)) {
                return Err(Refusal::Refused(format!(
                    "refused address {} for {name}",
                    bad.ip()
                )));
            }
            Ok(Target::Resolved {
                host: name.to_owned(),
                addrs,
            })
        }
        None => Err(Refusal::Refused(
            "refused address: the URL has no host".into(),
        )),
    }
}

fn check_literal(ip: IpAddr, allow_loopback: bool) -> Result<Target, Refusal> {
    if is_refused(ip, allow_loopback) {
        Err(Refusal::Refused(format!("refused address {ip}")))
    } else {
        Ok(Target::Literal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(ip: &str) -> bool {
        is_refused(ip.parse().unwrap(), false)
    }

    #[test]
    fn refuses_every_listed_range() {
        for ip in [
            "0.0.0.0",
            "0.255.1.1",
            "10.0.0.1",
            "10.255.255.255",
            "100.64.0.1",
            "100.127.255.255",
            "127.0.0.1",
            "127.1.2.3",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.255",
            "192.0.0.8",
            "192.168.1.1",
            "198.18.0.1",
            "198.19.255.255",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "febf::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b::7f00:1",
        ] {
            assert!(refused(ip), "{ip} must be refused");
        }
    }

    #[test]
    fn lets_public_addresses_through() {
        for ip in [
            "8.8.8.8",
            "1.1.1.1",
            "100.63.255.255",
            "100.128.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "192.0.1.1",
            "192.169.0.1",
            "198.17.255.255",
            "198.20.0.0",
            "223.255.255.255",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            assert!(!refused(ip), "{ip} is public");
        }
    }

    #[test]
    fn allow_loopback_lifts_only_loopback() {
        for ip in ["127.0.0.1", "127.9.9.9", "::1", "::ffff:127.0.0.1"] {
            assert!(!is_refused(ip.parse().unwrap(), true), "{ip}");
        }
        for ip in ["10.0.0.1", "169.254.169.254", "0.0.0.0", "::", "fe80::1"] {
            assert!(is_refused(ip.parse().unwrap(), true), "{ip}");
        }
    }

    #[tokio::test]
    async fn a_name_resolving_to_loopback_is_refused() {
        let url = ::url::Url::parse("http://localhost:9/hook").unwrap();
        match check_target(&url, false).await {
            Err(Refusal::Refused(why)) => assert!(why.starts_with("refused address"), "{why}"),
            other => panic!("localhost must be refused, got {other:?}"),
        }
        assert!(matches!(
            check_target(&url, true).await,
            Ok(Target::Resolved { .. })
        ));
    }
}
