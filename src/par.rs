//! Work split over the machine's two cores.

/// `f` over `items`, on two threads when their sizes add up to at least `min` (split where
/// half of the size lies, not half of the items, so both halves take about as long); the
/// results in order either way.
pub fn in_two<T: Sync, R: Send>(
    items: &[T],
    min: usize,
    size: impl Fn(&T) -> usize,
    f: impl Fn(&[T]) -> Vec<R> + Sync,
) -> Vec<R> {
    let total: usize = items.iter().map(&size).sum();
    if total < min || items.len() < 2 {
        return f(items);
    }
    let mut acc = 0usize;
    let mid = items
        .iter()
        .position(|item| {
            acc += size(item);
            acc >= total / 2
        })
        .map_or(items.len(), |p| p + 1);
    let (first, second) = items.split_at(mid);
    std::thread::scope(|scope| {
        let later = scope.spawn(|| f(second));
        let mut out = f(first);
        // The helper panicked: do its half here rather than lose it.
        out.extend(later.join().unwrap_or_else(|_| f(second)));
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves_keep_order_and_lose_nothing() {
        let items: Vec<usize> = (0..1000).collect();
        let double = |part: &[usize]| part.iter().map(|x| x * 2).collect::<Vec<_>>();
        let want: Vec<usize> = items.iter().map(|x| x * 2).collect();
        assert_eq!(in_two(&items, 1, |_| 1, double), want, "split");
        assert_eq!(in_two(&items, usize::MAX, |_| 1, double), want, "not split");
        // One huge item first: the split falls right after it.
        let sized = |x: &usize| if *x == 0 { 10_000 } else { 1 };
        let first_len = in_two(&items, 1, sized, |part| vec![part.len()]);
        assert_eq!(first_len, [1, 999]);
    }
}
