//! Where a webhook may be sent: the address policy against server-side request forgery. An
//! endpoint URL is checked when it is saved (its host, or every address its name resolves to)
//! and again when it is sent to, on the address actually connected to: the dispatcher's client
//! resolves names through [`GuardedResolver`], so a name that changes its answer after it was
//! saved (DNS rebinding) still cannot reach the host's network. Addresses are classified from
//! `std::net` values after the URL parser has normalised the host (`2130706433`, `0x7f.1` and
//! `[::ffff:127.0.0.1]` are all 127.0.0.1 by then), never by matching strings.
use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

/// Longest endpoint URL accepted (bytes).
pub const MAX_URL_BYTES: usize = 2000;
/// How long saving an endpoint waits for its name to resolve.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(3);

/// What an address is, as far as sending webhooks to it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Public,
    Loopback,
    /// RFC 1918, IPv6 unique-local and site-local, local-use NAT64.
    Private,
    /// 100.64.0.0/10, carrier-grade NAT.
    Shared,
    /// 169.254.0.0/16 (cloud metadata services live here) and fe80::/10.
    LinkLocal,
    Unspecified,
    Multicast,
    Broadcast,
    Documentation,
    Reserved,
}

impl Kind {
    /// Loopback and private networks are where a self-hosted install's own receivers live, so
    /// the operator may allow them; the other kinds are never a webhook receiver (link-local
    /// included: it is where cloud metadata services answer).
    fn allowed(self, allow_private: bool) -> bool {
        match self {
            Kind::Public => true,
            Kind::Loopback | Kind::Private | Kind::Shared => allow_private,
            _ => false,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Kind::Public => "public",
            Kind::Loopback => "loopback",
            Kind::Private => "a private network",
            Kind::Shared => "carrier-grade NAT space",
            Kind::LinkLocal => "link-local (where cloud metadata services answer)",
            Kind::Unspecified => "unspecified",
            Kind::Multicast => "multicast",
            Kind::Broadcast => "broadcast",
            Kind::Documentation => "reserved for documentation",
            Kind::Reserved => "reserved",
        }
    }
}

pub fn classify(ip: IpAddr) -> Kind {
    match ip {
        IpAddr::V4(a) => classify_v4(a),
        IpAddr::V6(a) => classify_v6(a),
    }
}

fn classify_v4(ip: Ipv4Addr) -> Kind {
    match ip.octets() {
        // 0.0.0.0/8: "this network"; connecting to 0.0.0.0 reaches the host itself.
        [0, ..] => Kind::Unspecified,
        [10, ..] => Kind::Private,
        [100, b, ..] if b & 0xc0 == 64 => Kind::Shared,
        [127, ..] => Kind::Loopback,
        [169, 254, ..] => Kind::LinkLocal,
        [172, b, ..] if b & 0xf0 == 16 => Kind::Private,
        [192, 0, 0, _] | [192, 88, 99, _] => Kind::Reserved,
        [192, 0, 2, _] | [198, 51, 100, _] | [203, 0, 113, _] => Kind::Documentation,
        [192, 168, ..] => Kind::Private,
        [198, b, ..] if b & 0xfe == 18 => Kind::Reserved,
        [255, 255, 255, 255] => Kind::Broadcast,
        [a, ..] if (224..240).contains(&a) => Kind::Multicast,
        [a, ..] if a >= 240 => Kind::Reserved,
        _ => Kind::Public,
    }
}

fn classify_v6(ip: Ipv6Addr) -> Kind {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return classify_v4(v4);
    }
    if ip.is_unspecified() {
        return Kind::Unspecified;
    }
    if ip.is_loopback() {
        return Kind::Loopback;
    }
    let s = ip.segments();
    let embedded = |hi: u16, lo: u16| Ipv4Addr::from(((hi as u32) << 16) | lo as u32);
    match s {
        // NAT64 (well-known prefix): as the IPv4 address it translates to.
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => classify_v4(embedded(hi, lo)),
        [0x64, 0xff9b, 1, ..] => Kind::Private,
        // ::/8 without ::1 and the mapped form: IPv4-compatible and other retired forms.
        [0, ..] => Kind::Reserved,
        [0x100, 0, 0, 0, ..] => Kind::Reserved,
        [0x2001, 0xdb8, ..] => Kind::Documentation,
        // 2001::/23: IETF protocol assignments, Teredo among them.
        [0x2001, b, ..] if b < 0x200 => Kind::Reserved,
        // 6to4: as the IPv4 address it carries.
        [0x2002, hi, lo, ..] => match classify_v4(embedded(hi, lo)) {
            Kind::Public => Kind::Public,
            other => other,
        },
        [0x3fff, b, ..] if b < 0x1000 => Kind::Documentation,
        [a, ..] if a & 0xfe00 == 0xfc00 => Kind::Private,
        [a, ..] if a & 0xffc0 == 0xfe80 => Kind::LinkLocal,
        [a, ..] if a & 0xffc0 == 0xfec0 => Kind::Private,
        [a, ..] if a & 0xff00 == 0xff00 => Kind::Multicast,
        // Only 2000::/3 is allocated for global unicast.
        [a, ..] if a & 0xe000 == 0x2000 => Kind::Public,
        _ => Kind::Reserved,
    }
}

/// A target the policy refuses; its text is what the delivery log and the form show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// `the address 127.0.0.1` or `the host localhost`.
    subject: String,
    kind: Kind,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (subject, kind) = (&self.subject, self.kind.describe());
        if self.kind.allowed(true) {
            write!(f, "{subject} is private ({kind}); set OFFERDECK_WEBHOOK_ALLOW_PRIVATE=true to allow it")
        } else {
            write!(f, "{subject} is {kind} and never receives webhooks")
        }
    }
}

impl std::error::Error for Refused {}

/// `None` when webhooks may be sent to `ip`.
pub fn refusal(ip: IpAddr, allow_private: bool) -> Option<Refused> {
    let kind = classify(ip);
    (!kind.allowed(allow_private)).then(|| Refused { subject: format!("the address {ip}"), kind })
}

/// The URL's host when it is an address rather than a name.
fn host_ip(url: &Url) -> Option<IpAddr> {
    let host = url.host_str()?;
    match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => v6.parse::<Ipv6Addr>().ok().map(IpAddr::V6),
        None => host.parse::<Ipv4Addr>().ok().map(IpAddr::V4),
    }
}

/// Parses an endpoint URL: http or https, a host, no user name or password. The problem is
/// worded for the form's `url` field.
pub fn parse(raw: &str) -> Result<Url, String> {
    if raw.len() > MAX_URL_BYTES {
        return Err(format!("must be at most {MAX_URL_BYTES} characters"));
    }
    let url = Url::parse(raw).map_err(|_| "is not a valid URL".to_string())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("must use http:// or https://".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not contain a user name or password".into());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("must name a host".into());
    }
    Ok(url)
}

/// Checks a URL about to be saved: its host, or every address its name resolves to now. A name
/// that does not resolve is accepted (the receiver may not exist yet); the dispatcher checks
/// the addresses again on every delivery.
pub async fn check_new(raw: &str, allow_private: bool) -> Result<Url, String> {
    let url = parse(raw)?;
    let refused = match host_ip(&url) {
        Some(ip) => refusal(ip, allow_private),
        None => {
            let host = url.host_str().unwrap_or_default().trim_end_matches('.').to_ascii_lowercase();
            if !allow_private && (host == "localhost" || host.ends_with(".localhost")) {
                Some(Refused { subject: format!("the host {host}"), kind: Kind::Loopback })
            } else {
                let port = url.port_or_known_default().unwrap_or(443);
                match tokio::time::timeout(RESOLVE_TIMEOUT, tokio::net::lookup_host((host.as_str(), port))).await {
                    Ok(Ok(addrs)) => {
                        addrs.into_iter().find_map(|a| refusal(a.ip(), allow_private)).map(|r| Refused { subject: format!("{} (of {host})", r.subject), ..r })
                    }
                    _ => None,
                }
            }
        }
    };
    match refused {
        Some(r) => Err(format!("must not reach a private or internal network: {r}")),
        None => Ok(url),
    }
}

/// The check before a delivery is sent: the URL's form, and its host when that is an address
/// (the client connects to an address in the URL without asking the resolver).
pub fn check_delivery(raw: &str, allow_private: bool) -> Result<(), String> {
    let url = parse(raw).map_err(|p| format!("the endpoint URL {p}"))?;
    match host_ip(&url).and_then(|ip| refusal(ip, allow_private)) {
        Some(r) => Err(r.to_string()),
        None => Ok(()),
    }
}

/// Resolves names for the dispatcher's HTTP client and drops the addresses the policy refuses;
/// when none is left, the connection fails with the [`Refused`] of the first.
#[derive(Debug, Clone, Copy)]
pub struct GuardedResolver {
    pub allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let mut refused = None;
            let mut allowed: Vec<SocketAddr> = Vec::new();
            for addr in tokio::net::lookup_host((host.as_str(), 0)).await? {
                match refusal(addr.ip(), allow_private) {
                    None => allowed.push(addr),
                    Some(r) => {
                        refused.get_or_insert(Refused { subject: format!("{} (of {host})", r.subject), ..r });
                    }
                }
            }
            match (allowed.is_empty(), refused) {
                (true, Some(r)) => Err(Box::new(r) as Box<dyn std::error::Error + Send + Sync>),
                (true, None) => Err(format!("{host} has no address").into()),
                (false, _) => Ok(Box::new(allowed.into_iter()) as Addrs),
            }
        })
    }
}

/// The refusal behind a failed request, if the resolver refused every address.
pub fn refused_in<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a Refused> {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if let Some(r) = err.downcast_ref::<Refused>() {
            return Some(r);
        }
        cur = err.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(s: &str) -> Kind {
        classify(s.parse().unwrap())
    }

    #[test]
    fn classifies_addresses() {
        for (ip, k) in [
            ("8.8.8.8", Kind::Public),
            ("93.184.215.14", Kind::Public),
            ("127.0.0.1", Kind::Loopback),
            ("127.255.0.9", Kind::Loopback),
            ("10.1.2.3", Kind::Private),
            ("172.16.0.1", Kind::Private),
            ("172.31.255.255", Kind::Private),
            ("172.32.0.1", Kind::Public),
            ("192.168.1.1", Kind::Private),
            ("100.64.0.1", Kind::Shared),
            ("100.127.255.255", Kind::Shared),
            ("100.128.0.1", Kind::Public),
            ("169.254.169.254", Kind::LinkLocal),
            ("0.0.0.0", Kind::Unspecified),
            ("0.1.2.3", Kind::Unspecified),
            ("224.0.0.1", Kind::Multicast),
            ("239.255.255.250", Kind::Multicast),
            ("255.255.255.255", Kind::Broadcast),
            ("240.0.0.1", Kind::Reserved),
            ("192.0.2.1", Kind::Documentation),
            ("198.51.100.7", Kind::Documentation),
            ("203.0.113.9", Kind::Documentation),
            ("198.18.0.1", Kind::Reserved),
            ("192.0.0.8", Kind::Reserved),
            ("::1", Kind::Loopback),
            ("::", Kind::Unspecified),
            ("::ffff:127.0.0.1", Kind::Loopback),
            ("::ffff:169.254.169.254", Kind::LinkLocal),
            ("::ffff:10.0.0.1", Kind::Private),
            ("::ffff:8.8.8.8", Kind::Public),
            ("::127.0.0.1", Kind::Reserved),
            ("64:ff9b::7f00:1", Kind::Loopback),
            ("64:ff9b::808:808", Kind::Public),
            ("2002:7f00:1::1", Kind::Loopback),
            ("2002:808:808::1", Kind::Public),
            ("2001::1", Kind::Reserved),
            ("2001:db8::1", Kind::Documentation),
            ("3fff::1", Kind::Documentation),
            ("fc00::1", Kind::Private),
            ("fd12:3456::1", Kind::Private),
            ("fe80::1", Kind::LinkLocal),
            ("febf::1", Kind::LinkLocal),
            ("fec0::1", Kind::Private),
            ("ff02::1", Kind::Multicast),
            ("100::1", Kind::Reserved),
            ("4000::1", Kind::Reserved),
            ("2606:4700:4700::1111", Kind::Public),
            ("2a00:1450:4001::200e", Kind::Public),
        ] {
            assert_eq!(kind(ip), k, "{ip}");
        }
    }

    #[test]
    fn the_setting_allows_only_private_and_loopback() {
        for ip in ["127.0.0.1", "10.0.0.1", "100.64.0.1", "::1", "fd00::1", "::ffff:192.168.0.1"] {
            assert!(refusal(ip.parse().unwrap(), false).is_some(), "{ip}");
            assert!(refusal(ip.parse().unwrap(), true).is_none(), "{ip}");
        }
        for ip in ["169.254.169.254", "0.0.0.0", "::", "224.0.0.1", "255.255.255.255", "192.0.2.1", "fe80::1", "::ffff:169.254.169.254"] {
            assert!(refusal(ip.parse().unwrap(), true).is_some(), "{ip}");
        }
        let r = refusal("10.0.0.1".parse().unwrap(), false).unwrap().to_string();
        assert_eq!(r, "the address 10.0.0.1 is private (a private network); set OFFERDECK_WEBHOOK_ALLOW_PRIVATE=true to allow it");
    }

    #[tokio::test]
    async fn refuses_internal_urls_in_any_spelling() {
        for url in [
            "http://127.0.0.1/hook",
            "http://127.1/hook",
            "http://2130706433/hook",
            "http://0x7f.1/hook",
            "http://0x7f000001/hook",
            "http://0177.0.0.1/hook",
            "http://017700000001/hook",
            "http://[::1]/hook",
            "http://[::ffff:127.0.0.1]/hook",
            "http://[::ffff:7f00:1]/hook",
            "http://[0:0:0:0:0:ffff:127.0.0.1]/hook",
            "http://0.0.0.0/hook",
            "http://0/hook",
            "http://[::]/hook",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::ffff:169.254.169.254]/",
            "http://[fe80::1]/hook",
            "http://10.0.0.5/hook",
            "http://172.20.1.1/hook",
            "http://192.168.0.10:8080/hook",
            "http://100.100.100.200/hook",
            "http://[fd00::1]/hook",
            "http://224.0.0.251/hook",
            "http://255.255.255.255/hook",
            "http://192.0.2.10/hook",
            "http://[2001:db8::1]/hook",
            "http://localhost/hook",
            "http://LOCALHOST./hook",
            "http://api.localhost/hook",
            "https://localhost:8443/hook",
        ] {
            assert!(check_new(url, false).await.is_err(), "{url} was accepted");
        }
        for (url, problem) in [
            ("ftp://example.com/x", "must use http:// or https://"),
            ("http://user:pw@example.com/x", "must not contain a user name or password"),
            ("http://user@example.com/x", "must not contain a user name or password"),
            ("http://", "is not a valid URL"),
            ("not a url", "is not a valid URL"),
        ] {
            assert_eq!(check_new(url, false).await.unwrap_err(), problem, "{url}");
        }
        assert!(check_new(&format!("https://example.com/{}", "a".repeat(MAX_URL_BYTES)), false).await.is_err());
        assert!(check_new("https://93.184.215.14/hook", false).await.is_ok());
        assert!(check_new("https://[2606:4700:4700::1111]/hook", false).await.is_ok());
        // The operator's setting opens loopback and private networks, nothing else.
        assert!(check_new("http://127.0.0.1:9000/hook", true).await.is_ok());
        assert!(check_new("http://localhost:9000/hook", true).await.is_ok());
        assert!(check_new("http://169.254.169.254/", true).await.is_err());
        assert!(check_new("http://0.0.0.0:9000/", true).await.is_err());
    }

    #[test]
    fn delivery_checks_address_hosts() {
        assert!(check_delivery("http://127.0.0.1:9/x", false).unwrap_err().contains("OFFERDECK_WEBHOOK_ALLOW_PRIVATE=true"));
        assert!(check_delivery("http://127.0.0.1:9/x", true).is_ok());
        assert!(check_delivery("http://[::ffff:a9fe:a9fe]/x", true).is_err());
        // Names are the resolver's job.
        assert!(check_delivery("http://localhost:9/x", false).is_ok());
    }

    #[tokio::test]
    async fn the_resolver_drops_refused_addresses() {
        let name = |s: &str| s.parse::<Name>().unwrap();
        let err = match (GuardedResolver { allow_private: false }).resolve(name("localhost")).await {
            Err(e) => e,
            Ok(a) => panic!("localhost resolved to {:?}", a.collect::<Vec<_>>()),
        };
        let refused = refused_in(&*err).expect("a Refused error");
        assert!(refused.to_string().contains("(of localhost) is private (loopback); set OFFERDECK_WEBHOOK_ALLOW_PRIVATE=true"), "{refused}");
        let addrs: Vec<SocketAddr> = (GuardedResolver { allow_private: true }).resolve(name("localhost")).await.unwrap().collect();
        assert!(!addrs.is_empty() && addrs.iter().all(|a| a.ip().is_loopback()), "{addrs:?}");
    }
}
