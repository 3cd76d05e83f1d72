//! The client's address, for per-address limits (sign-in throttling, coupon checks, surface
//! decisions). Without `OFFERDECK_CLIENT_IP_HEADER` it is the connection's peer. Behind reverse
//! proxies it is read from that header **from the right**: each proxy appends the address it
//! received the request from, so with `OFFERDECK_TRUSTED_PROXIES=n` the n-th entry from the right
//! was written by our own outermost proxy and everything left of it is what the client claimed.
//! Only parsed IP addresses become limiter keys (bounded length); IPv6 clients are keyed by
//! their /64, which is what one subscriber gets.
use axum::http::HeaderMap;
use std::net::{IpAddr, SocketAddr};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientIpConfig {
    /// Lower-case header name, e.g. `x-forwarded-for`.
    pub header: Option<String>,
    /// Proxies of ours in front of the server that append to `header` (at least 1 when a header is set).
    pub trusted_proxies: usize,
}

/// The limiter key of the client of a request: an IPv4 address, an IPv6 /64, or `unknown`.
pub fn client_key(cfg: &ClientIpConfig, peer: Option<SocketAddr>, headers: &HeaderMap) -> String {
    match client_ip(cfg, peer, headers) {
        Some(ip) => key_of(ip),
        None => "unknown".into(),
    }
}

pub fn client_ip(cfg: &ClientIpConfig, peer: Option<SocketAddr>, headers: &HeaderMap) -> Option<IpAddr> {
    let peer_ip = peer.map(|p| p.ip());
    let Some(name) = cfg.header.as_deref() else { return peer_ip };
    // Several header lines count as one list, in order; at most 64 hops are looked at.
    let hops: Vec<&str> =
        headers.get_all(name).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).map(str::trim).filter(|h| !h.is_empty()).collect();
    let n = cfg.trusted_proxies.max(1);
    if hops.is_empty() || hops.len() > 64 {
        return peer_ip;
    }
    // Fewer hops than trusted proxies: the left-most one is the closest to the client we have.
    let hop = hops[hops.len().saturating_sub(n)];
    parse_hop(hop).or(peer_ip)
}

/// `1.2.3.4`, `1.2.3.4:567`, `2001:db8::1`, `[2001:db8::1]:443`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(ip);
    }
    hop.parse::<SocketAddr>().ok().map(|s| s.ip())
}

fn key_of(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    fn cfg(n: usize) -> ClientIpConfig {
        ClientIpConfig { header: Some("x-forwarded-for".into()), trusted_proxies: n }
    }

    #[test]
    fn takes_the_right_most_untrusted_hop() {
        let peer = Some("10.0.0.2:5000".parse().unwrap());
        // The client forged "1.1.1.1"; our proxy appended the real address 203.0.113.7.
        let h = headers(&["1.1.1.1, 203.0.113.7"]);
        assert_eq!(client_key(&cfg(1), peer, &h), "203.0.113.7");
        // Two proxies of ours: the second appended the first's address.
        let h = headers(&["1.1.1.1, 203.0.113.7", "10.0.0.9"]);
        assert_eq!(client_key(&cfg(2), peer, &h), "203.0.113.7");
        assert_eq!(client_key(&cfg(1), peer, &h), "10.0.0.9");
    }

    #[test]
    fn garbage_falls_back_to_the_peer_and_keys_stay_short() {
        let peer = Some("192.0.2.1:5000".parse().unwrap());
        let long = "x".repeat(10_000);
        assert_eq!(client_key(&cfg(1), peer, &headers(&[long.as_str()])), "192.0.2.1");
        let many = vec!["1.2.3.4"; 100].join(",");
        assert_eq!(client_key(&cfg(1), peer, &headers(&[many.as_str()])), "192.0.2.1");
        assert_eq!(client_key(&cfg(1), None, &HeaderMap::new()), "unknown");
        let unset = ClientIpConfig { header: None, trusted_proxies: 1 };
        assert_eq!(client_key(&unset, peer, &headers(&["8.8.8.8"])), "192.0.2.1");
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_64() {
        let a = client_key(&cfg(1), None, &headers(&["2001:db8:1:2:aaaa::1"]));
        let b = client_key(&cfg(1), None, &headers(&["[2001:db8:1:2:bbbb::9]:443"]));
        assert_eq!(a, b);
        assert_eq!(a, "2001:db8:1:2::/64");
        assert_eq!(client_key(&cfg(1), None, &headers(&["::ffff:198.51.100.4"])), "198.51.100.4");
    }
}
