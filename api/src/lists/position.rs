//! Manual order: fractional keys (the `fractional_index` crate), kept as its hex
//! text, whose byte order is the person's order. A move writes the one row it
//! moves, between its new neighbours; when that key would grow past
//! [`MAX_POSITION_CHARS`] the list is given fresh, evenly spread keys instead
//! ([`spread`]), in the same transaction.

use fractional_index::FractionalIndex;

/// Past this, a list's keys are rewritten rather than grown (SPEC "Lists").
pub const MAX_POSITION_CHARS: usize = 64;

/// The key for an item placed right after `lower` and right before `upper`
/// (either may be missing: the list's start or end). `None` when no short enough
/// key fits there, or a neighbour's stored key is not one this API wrote: the
/// caller then rebalances the list ([`spread`]) and asks again.
pub fn between(lower: Option<&str>, upper: Option<&str>) -> Option<String> {
    let lower = lower.map(FractionalIndex::from_string).transpose().ok()?;
    let upper = upper.map(FractionalIndex::from_string).transpose().ok()?;
    let key = FractionalIndex::new(lower.as_ref(), upper.as_ref())?.to_string();
    (key.len() <= MAX_POSITION_CHARS).then_some(key)
}

/// Keys for `count` items put, in their order, before `upper` (the first key of
/// the list they arrive at the front of). `None` when they would not all fit
/// short enough: the caller parks them and rebalances the list.
pub fn before(count: usize, upper: Option<&str>) -> Option<Vec<String>> {
    let mut upper = upper.map(str::to_owned);
    let mut keys = Vec::with_capacity(count);
    for _ in 0..count {
        let key = between(None, upper.as_deref())?;
        upper = Some(key.clone());
        keys.push(key);
    }
    keys.reverse();
    Some(keys)
}

/// `count` keys in ascending order, evenly spread with room around each (a
/// whole byte between neighbours and before the first), all the same short
/// length: what a rebalanced list's items get, in their order.
pub fn spread(count: usize) -> Vec<String> {
    let slots = (count as u128 + 1) * 256;
    let mut width = 1u32;
    while 256u128.pow(width) < slots {
        width += 1;
    }
    let step = 256u128.pow(width) / (count as u128 + 1);
    (1..=count as u128)
        .map(|i| {
            let value = (i * step).to_be_bytes();
            let mut bytes = value[value.len() - width as usize..].to_vec();
            bytes.push(TERMINATOR);
            FractionalIndex::from_bytes(bytes).expect("terminated").to_string()
        })
        .collect()
}

/// The byte `fractional_index` ends every key with.
const TERMINATOR: u8 = 0x80;

/// A key no key of [`between`] or [`spread`] can equal, unique per row: what a
/// rebalance parks each row at before giving it its new key, so the unique index
/// over positions never sees two rows at once on one key.
pub fn parked(id: i64) -> String {
    format!("~{id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_order_as_bytes_and_fit_between_neighbours() {
        let first = between(None, None).unwrap();
        let after = between(Some(&first), None).unwrap();
        let before = between(None, Some(&first)).unwrap();
        let middle = between(Some(&first), Some(&after)).unwrap();
        assert!(before.as_bytes() < first.as_bytes());
        assert!(first.as_bytes() < middle.as_bytes() && middle.as_bytes() < after.as_bytes());
    }

    #[test]
    fn keys_that_would_grow_too_long_are_refused() {
        let (low, mut high) = (between(None, None).unwrap(), between(None, None).map(|k| between(Some(&k), None)));
        let mut high = high.take().flatten().unwrap();
        let mut moves = 0;
        while let Some(key) = between(Some(&low), Some(&high)) {
            assert!(key.len() <= MAX_POSITION_CHARS);
            high = key;
            moves += 1;
        }
        assert!(moves > 50, "{moves} moves to one spot before a rebalance");
        assert_eq!(between(Some("zz"), None), None, "not a key this API wrote");
    }

    #[test]
    fn spread_keys_ascend_are_short_and_leave_room() {
        for count in [0, 1, 2, 255, 256, 10_000] {
            let keys = spread(count);
            assert_eq!(keys.len(), count);
            assert!(keys.windows(2).all(|w| w[0].as_bytes() < w[1].as_bytes()));
            assert!(keys.iter().all(|k| k.len() <= 10));
            if let Some(first) = keys.first() {
                assert!(between(None, Some(first)).is_some());
            }
        }
        assert!(parked(5).as_bytes() > spread(3)[2].as_bytes());
    }
}
