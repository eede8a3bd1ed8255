//! `xsd:dateTime` values (`format: date-time` in the document).

use std::fmt;
use std::time::{Duration, SystemTime};

/// Texts up to this long are held in place. vCenter writes its times in 27 bytes
/// (`2022-12-12T11:48:35.473645Z`); nanoseconds and an offset make 35.
const INLINE: usize = 38;

/// A date and time (`xsd:dateTime`), kept as the text the server wrote, so that a value
/// decoded and encoded again is the same bytes.
///
/// Texts of up to 38 bytes (every time vCenter writes) are held without a heap allocation, so
/// decoding one allocates nothing: an event page carries one in every event.
///
/// [`to_system_time`](Self::to_system_time) reads the instant;
/// `DateTime::from(SystemTime::now())` writes one, as vCenter does.
#[derive(Clone)]
pub struct DateTime(Text);

#[derive(Clone)]
enum Text {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(Box<str>),
}

impl DateTime {
    /// The value of `text`, as written; nothing is checked until it is read as a time.
    pub fn new(text: &str) -> Self {
        if text.len() <= INLINE {
            let mut bytes = [0; INLINE];
            bytes[..text.len()].copy_from_slice(text.as_bytes());
            Self(Text::Inline { len: text.len() as u8, bytes })
        } else {
            Self(Text::Heap(text.into()))
        }
    }

    /// The text as it was decoded or given.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            // The bytes were copied from a whole `&str`, so this never falls back.
            Text::Inline { len, bytes } => std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or_default(),
            Text::Heap(s) => s,
        }
    }

    /// The instant this text names.
    ///
    /// Accepts `YYYY-MM-DDThh:mm:ss`, with any number of fraction digits, then `Z`, an offset
    /// `+hh:mm` / `-hh:mm`, or nothing (read as UTC, which is what vCenter's clock keeps).
    /// Years before 1970 or after 9999 are refused, as are texts of any other shape.
    pub fn to_system_time(&self) -> Result<SystemTime, DateTimeError> {
        let text = self.as_str();
        let fail = |reason: String| DateTimeError { text: text.to_owned(), reason };
        let (local, offset) = split_offset(text).map_err(|r| fail(r.to_owned()))?;
        let time = humantime::parse_rfc3339_weak(local).map_err(|e| fail(e.to_string()))?;
        // `+02:00` is two hours ahead of UTC: the same instant is two hours earlier in UTC.
        let by = Duration::from_secs(offset.unsigned_abs());
        let last = SystemTime::UNIX_EPOCH + Duration::new(LAST_SECOND, 999_999_999);
        // The offset can take a time just inside the range out of it (`1970-01-01T00:30:00+01:00`).
        if offset > 0 { time.checked_sub(by) } else { time.checked_add(by) }
            .filter(|t| (SystemTime::UNIX_EPOCH..=last).contains(t))
            .ok_or_else(|| fail("the offset takes it out of range".to_owned()))
    }
}

/// The text without its zone, and the zone's offset in seconds ahead of UTC.
fn split_offset(text: &str) -> Result<(&str, i64), &'static str> {
    if let Some(local) = text.strip_suffix('Z') {
        return Ok((local, 0));
    }
    let b = text.as_bytes();
    let n = b.len();
    // `...ss+hh:mm`: the date's own `-`s never stand six from the end followed by a `:`
    if n < 16 || !matches!(b[n - 6], b'+' | b'-') || b[n - 3] != b':' {
        return Ok((text, 0));
    }
    let two = |at: usize| match (b[at], b[at + 1]) {
        (h @ b'0'..=b'9', l @ b'0'..=b'9') => Ok(i64::from(h - b'0') * 10 + i64::from(l - b'0')),
        _ => Err("the offset is not `+hh:mm` or `-hh:mm`"),
    };
    let (hours, minutes) = (two(n - 5)?, two(n - 2)?);
    if hours > 14 || minutes > 59 {
        return Err("the offset is out of range");
    }
    let seconds = hours * 3600 + minutes * 60;
    Ok((&text[..n - 6], if b[n - 6] == b'+' { seconds } else { -seconds }))
}

/// Written as vCenter writes times: UTC, with microseconds (`2022-12-12T11:48:35.473645Z`).
/// A time outside the years 1970 to 9999 is written as the nearest one inside them, the range
/// [`DateTime::to_system_time`] reads back.
impl From<SystemTime> for DateTime {
    fn from(t: SystemTime) -> Self {
        let last = SystemTime::UNIX_EPOCH + Duration::new(LAST_SECOND, 999_999_999);
        let t = t.clamp(SystemTime::UNIX_EPOCH, last);
        // humantime's `Display` fails only past 9999, which the clamp rules out, so
        // `to_string` cannot panic; a request builds few times, so its `String` is no cost.
        Self::new(&humantime::format_rfc3339_micros(t).to_string())
    }
}

/// 9999-12-31T23:59:59Z, in seconds since 1970.
const LAST_SECOND: u64 = 253_402_300_799;

impl TryFrom<&DateTime> for SystemTime {
    type Error = DateTimeError;

    fn try_from(t: &DateTime) -> Result<Self, DateTimeError> {
        t.to_system_time()
    }
}

impl Default for DateTime {
    /// The empty text (a placeholder; it names no time).
    fn default() -> Self {
        Self(Text::Inline { len: 0, bytes: [0; INLINE] })
    }
}

impl std::ops::Deref for DateTime {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for DateTime {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for DateTime {
    fn from(text: &str) -> Self {
        Self::new(text)
    }
}

impl From<String> for DateTime {
    fn from(text: String) -> Self {
        if text.len() <= INLINE {
            Self::new(&text)
        } else {
            Self(Text::Heap(text.into_boxed_str()))
        }
    }
}

impl From<&String> for DateTime {
    fn from(text: &String) -> Self {
        Self::new(text)
    }
}

impl From<DateTime> for String {
    fn from(t: DateTime) -> Self {
        match t.0 {
            Text::Heap(s) => s.into(),
            Text::Inline { .. } => t.as_str().to_owned(),
        }
    }
}

impl PartialEq for DateTime {
    /// Equal texts; the same instant written two ways is two different values.
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for DateTime {}

impl PartialEq<str> for DateTime {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for DateTime {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::hash::Hash for DateTime {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.as_str().hash(h);
    }
}

impl fmt::Debug for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for DateTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for DateTime {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl serde::de::Visitor<'_> for Visit {
            type Value = DateTime;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an xsd:dateTime string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<DateTime, E> {
                Ok(DateTime::new(v))
            }
        }
        d.deserialize_str(Visit)
    }
}

/// A [`DateTime`] whose text names no instant [`DateTime::to_system_time`] can give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateTimeError {
    text: String,
    reason: String,
}

impl DateTimeError {
    /// The text that was read.
    pub fn text(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for DateTimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not a date and time from 1970 to 9999: {}", self.text, self.reason)
    }
}

impl std::error::Error for DateTimeError {}

#[cfg(test)]
mod tests {
    use super::{DateTime, INLINE};
    use std::time::{Duration, SystemTime};

    fn at(secs: u64, micros: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs) + Duration::from_micros(micros)
    }

    #[test]
    fn holds_vcenter_times_in_place_and_longer_texts_whole() {
        assert_eq!(std::mem::size_of::<DateTime>(), 40);
        assert_eq!(std::mem::size_of::<Option<DateTime>>(), 40);
        for text in ["", "2022-12-12T11:48:35.473645Z", "2022-12-12T11:48:35.123456789+05:30"] {
            let t = DateTime::new(text);
            assert!(matches!(t.0, super::Text::Inline { .. }), "{text}");
            assert_eq!(t.as_str(), text);
        }
        let long = format!("2022-12-12T11:48:35.{}Z", "1".repeat(INLINE));
        for t in [DateTime::new(&long), DateTime::from(long.clone())] {
            assert!(matches!(t.0, super::Text::Heap(_)));
            assert_eq!(t, long.as_str());
            assert_eq!(String::from(t), long);
        }
        assert_eq!(DateTime::from(String::from("2024-01-01T00:00:00Z")), DateTime::new("2024-01-01T00:00:00Z"));
        assert_eq!(DateTime::default().as_str(), "");
    }

    #[test]
    fn reads_the_instant_in_any_zone() {
        // 2022-12-12T11:48:35Z
        let utc = 1_670_845_715;
        let cases = [
            ("2022-12-12T11:48:35.473645Z", at(utc, 473_645)),
            ("2022-12-12T11:48:35Z", at(utc, 0)),
            ("2022-12-12T11:48:35", at(utc, 0)),
            ("2022-12-12T17:18:35.473645+05:30", at(utc, 473_645)),
            ("2022-12-12T06:48:35-05:00", at(utc, 0)),
            ("2022-12-12T11:48:35+00:00", at(utc, 0)),
        ];
        for (text, want) in cases {
            assert_eq!(DateTime::new(text).to_system_time(), Ok(want), "{text}");
        }
    }

    #[test]
    fn names_the_text_it_cannot_read() {
        for text in [
            "",
            "yesterday",
            "2022-12-12",
            "2022-13-12T11:48:35Z",
            "2022-12-12T11:48:35+5:30",
            "2022-12-12T11:48:35+25:00",
            "1969-12-31T23:59:59Z",
            // inside the range as written, outside it once the offset is applied
            "1970-01-01T00:30:00+01:00",
            "9999-12-31T23:30:00-01:00",
        ] {
            let e = DateTime::new(text).to_system_time().expect_err(text);
            assert_eq!(e.text(), text);
            assert!(e.to_string().contains(&format!("`{text}`")), "{e}");
        }
    }

    #[test]
    fn writes_a_system_time_as_vcenter_does_and_reads_it_back() {
        let t = at(1_670_845_715, 473_645);
        let written = DateTime::from(t);
        assert_eq!(written, "2022-12-12T11:48:35.473645Z");
        assert_eq!(SystemTime::try_from(&written), Ok(t));
        assert_eq!(DateTime::from(SystemTime::UNIX_EPOCH - Duration::from_secs(1)), "1970-01-01T00:00:00.000000Z");
        assert_eq!(DateTime::from(at(super::LAST_SECOND + 86_400, 0)), "9999-12-31T23:59:59.999999Z");
    }
}
