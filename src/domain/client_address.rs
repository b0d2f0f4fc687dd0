//! Who the client is behind reverse proxies. `X-Forwarded-For` is believed only as far as it
//! was written by proxies the operator trusts: read from the right, each trusted hop is
//! skipped and the first address that is not a trusted proxy is the client. A request that
//! did not come from a trusted proxy is its own peer, whatever it claims.

use std::net::IpAddr;

/// An address or a block of addresses (`10.0.0.0/8`, `fd00::/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    address: IpAddr,
    prefix: u8,
}

impl Network {
    pub fn parse(text: &str) -> Option<Self> {
        let (address, prefix) = match text.trim().split_once('/') {
            Some((address, prefix)) => (address.parse::<IpAddr>().ok()?, prefix.parse::<u8>().ok()?),
            None => {
                let address = text.trim().parse::<IpAddr>().ok()?;
                (address, if address.is_ipv4() { 32 } else { 128 })
            }
        };
        let bits = if address.is_ipv4() { 32 } else { 128 };
        (prefix <= bits).then_some(Self { address, prefix })
    }

    pub fn contains(&self, candidate: IpAddr) -> bool {
        fn leading(bytes: &[u8], prefix: u8) -> Vec<u8> {
            let mut out = bytes.to_vec();
            for (index, byte) in out.iter_mut().enumerate() {
                let start = index as u32 * 8;
                let keep = u32::from(prefix).saturating_sub(start).min(8);
                *byte &= if keep == 0 { 0 } else { 0xffu8 << (8 - keep) };
            }
            out
        }
        match (self.address, candidate.to_canonical()) {
            (IpAddr::V4(network), IpAddr::V4(candidate)) => {
                leading(&network.octets(), self.prefix) == leading(&candidate.octets(), self.prefix)
            }
            (IpAddr::V6(network), IpAddr::V6(candidate)) => {
                leading(&network.octets(), self.prefix) == leading(&candidate.octets(), self.prefix)
            }
            _ => false,
        }
    }
}

/// The client behind `peer`, given the request's `X-Forwarded-For` values and the trusted proxies.
pub fn client_address(peer: IpAddr, forwarded_for: &[&str], trusted: &[Network]) -> IpAddr {
    let is_trusted = |address: IpAddr| trusted.iter().any(|network| network.contains(address));
    if !is_trusted(peer) {
        return peer;
    }
    let hops: Vec<&str> = forwarded_for
        .iter()
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Ok(address) = hop.parse::<IpAddr>() else {
            // Garbage is not believed, nor anything written before it.
            break;
        };
        client = address;
        if !is_trusted(address) {
            break;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn proxies() -> Vec<Network> {
        vec![
            Network::parse("10.0.0.0/8").unwrap(),
            Network::parse("192.0.2.7").unwrap(),
        ]
    }

    #[test]
    fn a_request_not_from_a_trusted_proxy_is_its_peer_whatever_it_claims() {
        assert_eq!(
            client_address(ip("203.0.113.9"), &["1.2.3.4"], &proxies()),
            ip("203.0.113.9")
        );
        assert_eq!(client_address(ip("10.1.1.1"), &["1.2.3.4"], &[]), ip("10.1.1.1"));
    }

    #[test]
    fn the_first_untrusted_address_from_the_right_is_the_client() {
        let forwarded = ["6.6.6.6, 198.51.100.4", "192.0.2.7"];
        assert_eq!(
            client_address(ip("10.0.0.3"), &forwarded, &proxies()),
            ip("198.51.100.4")
        );
    }

    #[test]
    fn garbage_in_the_header_stops_the_walk() {
        assert_eq!(
            client_address(ip("10.0.0.3"), &["1.1.1.1, nonsense"], &proxies()),
            ip("10.0.0.3")
        );
    }

    #[test]
    fn networks_match_by_prefix_in_both_families() {
        let block = Network::parse("10.0.0.0/8").unwrap();
        assert!(block.contains(ip("10.200.3.4")));
        assert!(!block.contains(ip("11.0.0.1")));
        assert!(block.contains(ip("::ffff:10.0.0.1")));
        assert!(Network::parse("fd00::/8").unwrap().contains(ip("fd12::1")));
        assert_eq!(Network::parse("10.0.0.0/33"), None);
        assert_eq!(Network::parse("proxy.local"), None);
    }
}
