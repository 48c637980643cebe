//! Spatial points (`POINT`): two or three float coordinates in one of Neo4j's four coordinate
//! reference systems, with the construction rules, distance and bounding-box test of Neo4j 5.
//!
//! Neo4j's own definitions are followed to the letter (its `PointValue`, `CRSCalculator` and
//! `CoordinateReferenceSystem`, and the Cypher manual's "Spatial values" and "Spatial
//! functions"): WGS-84 longitudes wrap into [-180, 180], latitudes outside [-90, 90] are an
//! error, the haversine distance uses Neo4j's earth radius, and the error messages are Neo4j's.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::Value;

/// A coordinate reference system, as Neo4j names and numbers them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Crs {
    /// `cartesian`, SRID 7203.
    Cartesian,
    /// `cartesian-3d`, SRID 9157.
    Cartesian3d,
    /// `wgs-84`, SRID 4326: longitude and latitude in degrees.
    Wgs84,
    /// `wgs-84-3d`, SRID 4979: longitude, latitude and height in metres.
    Wgs84_3d,
}

impl Crs {
    pub const ALL: [Crs; 4] = [Crs::Wgs84, Crs::Wgs84_3d, Crs::Cartesian, Crs::Cartesian3d];

    /// The SRID Neo4j gives the system (`p.srid`).
    pub fn srid(self) -> i64 {
        match self {
            Crs::Cartesian => 7203,
            Crs::Cartesian3d => 9157,
            Crs::Wgs84 => 4326,
            Crs::Wgs84_3d => 4979,
        }
    }

    /// The name Neo4j gives the system (`p.crs`), lower case.
    pub fn name(self) -> &'static str {
        match self {
            Crs::Cartesian => "cartesian",
            Crs::Cartesian3d => "cartesian-3d",
            Crs::Wgs84 => "wgs-84",
            Crs::Wgs84_3d => "wgs-84-3d",
        }
    }

    pub fn dimensions(self) -> usize {
        match self {
            Crs::Cartesian | Crs::Wgs84 => 2,
            Crs::Cartesian3d | Crs::Wgs84_3d => 3,
        }
    }

    pub fn is_geographic(self) -> bool {
        matches!(self, Crs::Wgs84 | Crs::Wgs84_3d)
    }

    pub fn from_srid(srid: i64) -> Option<Crs> {
        Crs::ALL.into_iter().find(|c| c.srid() == srid)
    }

    /// The system of a name, case-insensitive (`'WGS-84'`, `'cartesian-3D'`).
    pub fn from_name(name: &str) -> Option<Crs> {
        Crs::ALL
            .into_iter()
            .find(|c| c.name().eq_ignore_ascii_case(name))
    }
}

/// A point value. Coordinates are finite; a WGS-84 longitude lies in [-180, 180] and a
/// latitude in [-90, 90]; a 2D point's third coordinate is 0.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Point {
    crs: Crs,
    coords: [f64; 3],
}

/// The earth radius Neo4j's distance uses (`CRSCalculator.EARTH_RADIUS_METERS`); a different
/// radius would give different answers from Neo4j's for the same query.
pub const EARTH_RADIUS_METERS: f64 = 6_378_140.0;

impl Point {
    /// A point from its coordinates (x/longitude first), with Neo4j's checks and longitude
    /// wrapping. The error is Neo4j's message.
    pub fn new(crs: Crs, coords: &[f64]) -> Result<Point, String> {
        if coords.iter().any(|c| !c.is_finite()) {
            return Err(format!(
                "Cannot create a point with non-finite coordinate values: {}",
                java_array(coords)
            ));
        }
        if coords.len() != crs.dimensions() {
            return Err(format!(
                "Cannot create point with {}D coordinate reference system and {} coordinates. \
                 Please consider using equivalent {}D coordinate reference system",
                crs.dimensions(),
                coords.len(),
                coords.len()
            ));
        }
        let mut c = [0.0; 3];
        for (slot, v) in c.iter_mut().zip(coords) {
            // -0.0 and 0.0 are one coordinate (equality, grouping and index keys agree).
            *slot = if *v == 0.0 { 0.0 } else { *v };
        }
        if crs.is_geographic() {
            if !(-90.0..=90.0).contains(&c[1]) {
                return Err(format!(
                    "Cannot create WGS84 point with invalid coordinate: {}. \
                     Valid range for Y coordinate is [-90, 90].",
                    java_array(coords)
                ));
            }
            c[0] = wrap_longitude(c[0]);
        }
        Ok(Point { crs, coords: c })
    }

    pub fn crs(&self) -> Crs {
        self.crs
    }

    /// The coordinates, two or three.
    pub fn coords(&self) -> &[f64] {
        &self.coords[..self.crs.dimensions()]
    }

    /// `point(map)`: the point a map describes, `None` when a value in it is null. Keys are
    /// case-insensitive; `x`/`y` win over `longitude`/`latitude`; `crs` or `srid` (not both)
    /// names the system, which otherwise follows from the keys and the dimension.
    pub fn from_map(map: &BTreeMap<String, Value>) -> Result<Option<Point>, String> {
        let mut fields = Fields::default();
        for (key, value) in map {
            if value.is_null() {
                return Ok(None);
            }
            fields.assign(key, value)?;
        }
        fields.build().map(Some)
    }

    /// A component, as `p.x`, `p.latitude`, `p.crs` read it (`key` is case-insensitive).
    pub fn component(&self, key: &str) -> Result<Value, String> {
        let coordinate = |n: usize, geographic_only: bool| {
            if geographic_only && !self.crs.is_geographic() {
                Err(format!(
                    "Field: {key} is not available on cartesian point: {}",
                    self.cypher_text()
                ))
            } else if n >= self.crs.dimensions() {
                Err(format!(
                    "Field: {key} is not available on point: {}",
                    self.cypher_text()
                ))
            } else {
                Ok(Value::Float(self.coords[n]))
            }
        };
        match key.to_ascii_lowercase().as_str() {
            "x" => coordinate(0, false),
            "y" => coordinate(1, false),
            "z" => coordinate(2, false),
            "longitude" => coordinate(0, true),
            "latitude" => coordinate(1, true),
            "height" => coordinate(2, true),
            "crs" => Ok(Value::String(self.crs.name().to_string())),
            "srid" => Ok(Value::Int(self.crs.srid())),
            _ => Err(format!("No such field: {key}")),
        }
    }

    /// `toString(p)` as Neo4j gives it: `point({x: 1.0, y: 2.0, crs: 'cartesian'})`.
    pub fn cypher_text(&self) -> String {
        let names = ["x", "y", "z"];
        let parts: Vec<String> = self
            .coords()
            .iter()
            .zip(names)
            .map(|(c, n)| format!("{n}: {}", java_double(*c)))
            .collect();
        format!(
            "point({{{}, crs: '{}'}})",
            parts.join(", "),
            self.crs.name()
        )
    }

    /// The text interchange formats carry (neo4j-admin CSV's point syntax, also GraphML):
    /// `{srid:4326, x:12.9, y:55.6}`. [`Point::parse_text`] reads it back.
    pub fn interchange_text(&self) -> String {
        let text = self.to_string();
        text["point(".len()..text.len() - 1].to_string()
    }

    /// A point from neo4j-admin's text form, `{latitude: 55.6, longitude: 12.9}`,
    /// `{x:1, y:2, crs:'cartesian'}` or `{srid:7203, x:1.0, y:2.0}` (values may be quoted),
    /// also wrapped as `point({…})`; the keys are those of `point()`.
    pub fn parse_text(text: &str) -> Result<Point, String> {
        let t = text.trim();
        let t = t
            .strip_prefix("point(")
            .and_then(|r| r.strip_suffix(')'))
            .unwrap_or(t)
            .trim();
        let body = t
            .strip_prefix('{')
            .and_then(|r| r.strip_suffix('}'))
            .ok_or_else(|| format!("`{text}` is not a point (expected `{{x:1.0, y:2.0}}`)"))?;
        let unquote = |s: &str| s.trim().trim_matches(|c| c == '\'' || c == '"').to_string();
        let mut map = BTreeMap::new();
        for entry in body.split(',').filter(|e| !e.trim().is_empty()) {
            let (k, v) = entry
                .split_once(':')
                .ok_or_else(|| format!("`{text}` is not a point (`{entry}` has no `:`)"))?;
            map.insert(unquote(k), Value::String(unquote(v)));
        }
        Point::from_map(&map)?.ok_or_else(|| format!("`{text}` is not a point"))
    }

    /// `point.distance(a, b)`: Euclidean for cartesian points, haversine on Neo4j's sphere for
    /// WGS-84 (at the mean height, then Pythagoras with the height difference, for 3D).
    /// `None` (null) for points of different systems.
    pub fn distance(&self, other: &Point) -> Option<f64> {
        if self.crs != other.crs {
            return None;
        }
        if !self.crs.is_geographic() {
            let sum: f64 = self
                .coords()
                .iter()
                .zip(other.coords())
                .map(|(a, b)| (a - b) * (a - b))
                .sum();
            return Some(sum.sqrt());
        }
        let (lon1, lat1) = (self.coords[0].to_radians(), self.coords[1].to_radians());
        let (lon2, lat2) = (other.coords[0].to_radians(), other.coords[1].to_radians());
        let (dx, dy) = (lon2 - lon1, lat2 - lat1);
        let alpha = (dy / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dx / 2.0).sin().powi(2);
        let great_circle = 2.0 * alpha.sqrt().atan2((1.0 - alpha).sqrt());
        if self.crs.dimensions() == 2 {
            return Some(EARTH_RADIUS_METERS * great_circle);
        }
        let mean_height = (self.coords[2] + other.coords[2]) / 2.0;
        let along = (EARTH_RADIUS_METERS + mean_height) * great_circle;
        let up = self.coords[2] - other.coords[2];
        Some((along * along + up * up).sqrt())
    }

    /// `point.withinBBox(p, lowerLeft, upperRight)`: inclusive on every side; a geographic box
    /// whose lower-left longitude is east of its upper-right one crosses the 180th meridian.
    /// `None` (null) when the three points are not all of one system.
    pub fn within_bbox(&self, lower_left: &Point, upper_right: &Point) -> Option<bool> {
        if self.crs != lower_left.crs || self.crs != upper_right.crs {
            return None;
        }
        let (p, ll, ur) = (self.coords(), lower_left.coords(), upper_right.coords());
        Some((0..p.len()).all(|i| {
            if self.crs.is_geographic() && i == 0 && ll[i] > ur[i] {
                p[i] >= ll[i] || p[i] <= ur[i]
            } else {
                p[i] >= ll[i] && p[i] <= ur[i]
            }
        }))
    }
}

/// As Neo4j's result tables (cypher-shell, the Browser, the manual) print a point:
/// `point({srid:4326, x:56.7, y:12.78})`.
impl fmt::Display for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "point({{srid:{}", self.crs.srid())?;
        for (c, n) in self.coords().iter().zip(["x", "y", "z"]) {
            write!(f, ", {n}:{}", java_double(*c))?;
        }
        f.write_str("})")
    }
}

/// Wraps a longitude into [-180, 180] as Neo4j does (by whole turns; 540 is 180, -540 -180).
fn wrap_longitude(x: f64) -> f64 {
    if x > 180.0 {
        x - ((x - 180.0) / 360.0).ceil() * 360.0
    } else if x < -180.0 {
        x + ((-180.0 - x) / 360.0).ceil() * 360.0
    } else {
        x
    }
}

/// A float as Java's `Double.toString` writes it (`1.0`, `0.001`, `1.0E7`, `1.5E-5`), which is
/// how Neo4j prints coordinates and floats in `toString`.
pub fn java_double(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    let abs = f.abs();
    if abs == 0.0 || (1e-3..1e7).contains(&abs) {
        let s = format!("{f}");
        if s.contains('.') {
            s
        } else {
            format!("{s}.0")
        }
    } else {
        let s = format!("{f:e}");
        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
        if mantissa.contains('.') {
            format!("{mantissa}E{exp}")
        } else {
            format!("{mantissa}.0E{exp}")
        }
    }
}

/// `[0.0, 91.0]`, as Java's `Arrays.toString` of the coordinates.
fn java_array(coords: &[f64]) -> String {
    let parts: Vec<String> = coords.iter().map(|c| java_double(*c)).collect();
    format!("[{}]", parts.join(", "))
}

/// The fields of a `point()` map, as Neo4j's `PointBuilder` collects them.
#[derive(Default)]
struct Fields {
    crs: Option<String>,
    srid: Option<i64>,
    x: Option<f64>,
    y: Option<f64>,
    z: Option<f64>,
    longitude: Option<f64>,
    latitude: Option<f64>,
    height: Option<f64>,
}

fn number_field(key: &str, value: &Value) -> Result<f64, String> {
    match value {
        Value::Int(i) => Ok(*i as f64),
        Value::Float(f) => Ok(*f),
        // Neo4j reads a number from a string too (`Double.parseDouble`).
        Value::String(s) => s
            .trim()
            .parse::<f64>()
            .map_err(|_| format!("Cannot assign {s} to field {key}")),
        other => Err(format!(
            "Cannot assign {} to field {key}",
            other.type_name()
        )),
    }
}

impl Fields {
    fn assign(&mut self, key: &str, value: &Value) -> Result<(), String> {
        let lower = key.to_ascii_lowercase();
        let slot = match lower.as_str() {
            "crs" => {
                let Value::String(s) = value else {
                    return Err(format!(
                        "Cannot assign {} to field {key}",
                        value.type_name()
                    ));
                };
                return set(&mut self.crs, s.replace(['"', '\''], ""), key);
            }
            "srid" => {
                let srid = match value {
                    Value::Int(i) => *i,
                    Value::String(s) => s
                        .trim()
                        .parse::<i64>()
                        .map_err(|_| format!("Cannot assign {s} to field {key}"))?,
                    other => {
                        return Err(format!(
                            "Cannot assign {} to field {key}",
                            other.type_name()
                        ))
                    }
                };
                return set(&mut self.srid, srid, key);
            }
            "x" => &mut self.x,
            "y" => &mut self.y,
            "z" => &mut self.z,
            "longitude" => &mut self.longitude,
            "latitude" => &mut self.latitude,
            "height" => &mut self.height,
            // Neo4j ignores other keys.
            _ => return Ok(()),
        };
        set(slot, number_field(key, value)?, key)
    }

    fn named_crs(&self) -> Result<Option<Crs>, String> {
        match (&self.crs, self.srid) {
            (Some(_), Some(_)) => Err("Cannot specify both CRS and SRID".to_string()),
            (Some(name), None) => Crs::from_name(name)
                .map(Some)
                .ok_or_else(|| format!("Unknown coordinate reference system: {name}")),
            (None, Some(srid)) => Crs::from_srid(srid)
                .map(Some)
                .ok_or_else(|| format!("Unknown coordinate reference system: code={srid}")),
            (None, None) => Ok(None),
        }
    }

    fn build(self) -> Result<Point, String> {
        let named = self.named_crs()?;
        let (crs, coords) = if let (Some(x), Some(y)) = (self.x, self.y) {
            let coords: Vec<f64> = [Some(x), Some(y), self.z].into_iter().flatten().collect();
            let default = if coords.len() == 3 {
                Crs::Cartesian3d
            } else {
                Crs::Cartesian
            };
            (named.unwrap_or(default), coords)
        } else if let (Some(lon), Some(lat)) = (self.longitude, self.latitude) {
            let coords: Vec<f64> = [Some(lon), Some(lat), self.z.or(self.height)]
                .into_iter()
                .flatten()
                .collect();
            let default = if coords.len() == 3 {
                Crs::Wgs84_3d
            } else {
                Crs::Wgs84
            };
            let crs = named.unwrap_or(default);
            if !crs.is_geographic() {
                return Err(format!(
                    "Geographic points does not support coordinate reference system: {}.\
                     This is set either in the csv header or the actual data column",
                    crs.name()
                ));
            }
            (crs, coords)
        } else {
            return Err(match named {
                None => "A point must contain either 'x' and 'y' or 'latitude' and 'longitude'"
                    .to_string(),
                Some(crs) => format!(
                    "A {} point must contain {}",
                    crs.name(),
                    match crs {
                        Crs::Cartesian => "'x' and 'y'",
                        Crs::Cartesian3d => "'x', 'y' and 'z'",
                        Crs::Wgs84 => "'latitude' and 'longitude'",
                        Crs::Wgs84_3d => "'latitude', 'longitude' and 'height'",
                    }
                ),
            });
        };
        Point::new(crs, &coords)
    }
}

fn set<T>(slot: &mut Option<T>, value: T, key: &str) -> Result<(), String> {
    if slot.is_some() {
        return Err(format!("Duplicate field '{key}' is not allowed."));
    }
    *slot = Some(value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(pairs: &[(&str, Value)]) -> Result<Option<Point>, String> {
        let map = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        Point::from_map(&map)
    }

    fn ok(pairs: &[(&str, Value)]) -> Point {
        point(pairs).expect("valid").expect("not null")
    }

    #[test]
    fn systems_follow_from_keys_and_dimension() {
        let p = ok(&[("x", Value::Int(1)), ("y", Value::Float(2.5))]);
        assert_eq!((p.crs(), p.coords()), (Crs::Cartesian, &[1.0, 2.5][..]));
        let p = ok(&[("x", 1.into()), ("y", 2.into()), ("z", 3.into())]);
        assert_eq!(p.crs(), Crs::Cartesian3d);
        let p = ok(&[("latitude", 12.78.into()), ("longitude", 56.7.into())]);
        assert_eq!((p.crs(), p.coords()), (Crs::Wgs84, &[56.7, 12.78][..]));
        let p = ok(&[
            ("Latitude", 1.into()),
            ("longitude", 2.into()),
            ("height", 3.into()),
        ]);
        assert_eq!(p.crs(), Crs::Wgs84_3d);
        let p = ok(&[("x", 1.into()), ("y", 2.into()), ("crs", "WGS-84".into())]);
        assert_eq!(p.crs(), Crs::Wgs84);
        let p = ok(&[("x", 1.into()), ("y", 2.into()), ("srid", 4326.into())]);
        assert_eq!(p.crs(), Crs::Wgs84);
        // x/y win over latitude, and a height beside x/y is not a third coordinate.
        let p = ok(&[("x", 1.into()), ("y", 2.into()), ("latitude", 3.into())]);
        assert_eq!((p.crs(), p.coords()), (Crs::Cartesian, &[1.0, 2.0][..]));
        let p = ok(&[("x", 1.5.into()), ("y", 2.into()), ("height", 3.into())]);
        assert_eq!(p.crs(), Crs::Cartesian);
        assert_eq!(point(&[("x", Value::Null), ("y", 1.into())]), Ok(None));
    }

    #[test]
    fn longitudes_wrap_and_latitudes_are_checked() {
        let lon = |x: f64| Point::new(Crs::Wgs84, &[x, 0.0]).expect("valid").coords()[0];
        assert_eq!(lon(200.0), -160.0);
        assert_eq!(lon(370.0), 10.0);
        assert_eq!(lon(540.0), 180.0);
        assert_eq!(lon(-540.0), -180.0);
        assert_eq!(lon(-370.0), -10.0);
        assert_eq!(
            Point::new(Crs::Wgs84, &[0.0, 91.0]),
            Err(
                "Cannot create WGS84 point with invalid coordinate: [0.0, 91.0]. \
                 Valid range for Y coordinate is [-90, 90]."
                    .to_string()
            )
        );
        assert!(Point::new(Crs::Cartesian, &[f64::NAN, 0.0]).is_err());
    }

    #[test]
    fn invalid_maps_get_neo4j_messages() {
        let err = |pairs: &[(&str, Value)]| point(pairs).expect_err("invalid");
        assert_eq!(
            err(&[("x", 1.into())]),
            "A point must contain either 'x' and 'y' or 'latitude' and 'longitude'"
        );
        assert_eq!(
            err(&[("x", 1.into()), ("y", 2.into()), ("crs", "nope".into())]),
            "Unknown coordinate reference system: nope"
        );
        assert_eq!(
            err(&[("x", 1.into()), ("y", 2.into()), ("srid", 1234.into())]),
            "Unknown coordinate reference system: code=1234"
        );
        assert!(err(&[
            ("x", 1.into()),
            ("y", 2.into()),
            ("z", 3.into()),
            ("crs", "cartesian".into())
        ])
        .starts_with("Cannot create point with 2D coordinate reference system and 3 coordinates"));
        assert_eq!(
            err(&[
                ("x", 1.into()),
                ("y", 2.into()),
                ("crs", "wgs-84".into()),
                ("srid", 7203.into())
            ]),
            "Cannot specify both CRS and SRID"
        );
        assert!(err(&[
            ("latitude", 1.into()),
            ("longitude", 2.into()),
            ("crs", "cartesian".into())
        ])
        .starts_with("Geographic points does not support coordinate reference system: cartesian"));
        assert_eq!(
            err(&[("srid", 9157.into())]),
            "A cartesian-3d point must contain 'x', 'y' and 'z'"
        );
    }

    #[test]
    fn components_and_texts() {
        let p = ok(&[("x", 1.into()), ("y", 2.into())]);
        assert_eq!(p.component("X"), Ok(Value::Float(1.0)));
        assert_eq!(p.component("srid"), Ok(Value::Int(7203)));
        assert_eq!(
            p.component("latitude"),
            Err("Field: latitude is not available on cartesian point: \
                 point({x: 1.0, y: 2.0, crs: 'cartesian'})"
                .to_string())
        );
        assert_eq!(
            p.component("z"),
            Err(
                "Field: z is not available on point: point({x: 1.0, y: 2.0, crs: 'cartesian'})"
                    .to_string()
            )
        );
        assert_eq!(p.component("foo"), Err("No such field: foo".to_string()));
        let g = ok(&[
            ("longitude", 56.7.into()),
            ("latitude", 12.78.into()),
            ("height", 8.into()),
        ]);
        assert_eq!(g.to_string(), "point({srid:4979, x:56.7, y:12.78, z:8.0})");
        assert_eq!(
            g.cypher_text(),
            "point({x: 56.7, y: 12.78, z: 8.0, crs: 'wgs-84-3d'})"
        );
        assert_eq!(java_double(1e20), "1.0E20");
        assert_eq!(g.interchange_text(), "{srid:4979, x:56.7, y:12.78, z:8.0}");
        assert_eq!(Point::parse_text(&g.interchange_text()), Ok(g));
        assert_eq!(Point::parse_text(&g.to_string()), Ok(g));
        assert_eq!(
            Point::parse_text("{ latitude: 12.78, longitude: \"56.7\" }").map(|p| p.to_string()),
            Ok("point({srid:4326, x:56.7, y:12.78})".to_string())
        );
        assert_eq!(
            Point::parse_text("{y:1.0, x:2.4, crs:'cartesian'}"),
            Ok(Point::new(Crs::Cartesian, &[2.4, 1.0]).unwrap())
        );
        assert!(Point::parse_text("{x:1}").is_err());
        assert!(Point::parse_text("x:1, y:2").is_err());
        assert_eq!(java_double(0.5), "0.5");
    }

    #[test]
    fn distances_are_neo4j_s() {
        // The Cypher manual's examples (functions/spatial, point.distance()).
        let a = Point::new(Crs::Cartesian, &[2.3, 4.5]).expect("valid");
        let b = Point::new(Crs::Cartesian, &[1.1, 5.4]).expect("valid");
        assert_eq!(a.distance(&b), Some(1.5));
        let a = Point::new(Crs::Wgs84_3d, &[12.78, 56.7, 100.0]).expect("valid");
        let b = Point::new(Crs::Wgs84_3d, &[12.79, 56.71, 100.0]).expect("valid");
        assert_eq!(a.distance(&b), Some(1269.9148706779097));
        let a = Point::new(Crs::Wgs84, &[0.0, 0.0]).expect("valid");
        let b = Point::new(Crs::Wgs84, &[1.0, 0.0]).expect("valid");
        assert_eq!(a.distance(&b), Some(111319.54315315113));
        let c = Point::new(Crs::Cartesian, &[0.0, 0.0]).expect("valid");
        assert_eq!(a.distance(&c), None);
    }

    #[test]
    fn bounding_boxes_cross_the_date_line() {
        let g = |x: f64, y: f64| Point::new(Crs::Wgs84, &[x, y]).expect("valid");
        assert_eq!(
            g(180.0, 55.66).within_bbox(&g(179.0, 55.66), &g(-179.0, 55.70)),
            Some(true)
        );
        assert_eq!(
            g(0.0, 55.66).within_bbox(&g(179.0, 55.66), &g(-179.0, 55.70)),
            Some(false)
        );
        let c = |x: f64, y: f64| Point::new(Crs::Cartesian, &[x, y]).expect("valid");
        assert_eq!(
            c(5.0, 5.0).within_bbox(&c(0.0, 0.0), &c(10.0, 10.0)),
            Some(true)
        );
        assert_eq!(
            c(5.0, 5.0).within_bbox(&c(10.0, 10.0), &c(0.0, 0.0)),
            Some(false)
        );
        assert_eq!(c(5.0, 5.0).within_bbox(&g(0.0, 0.0), &g(10.0, 10.0)), None);
    }
}
