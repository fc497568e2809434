// The map and "Use my current location" for location questions. Progressive enhancement: without
// this file the description box is enough; without Leaflet (build/leaflet/leaflet.js, loaded before
// this module) there is no map, and without geolocation no "Use my current location". Both set
// the hidden latitude and longitude the server reads. No inline script or style, so the CSP holds.

// How close the map comes to a point it shows, whatever MAP_ZOOM opens it at.
const POINT_ZOOM = 17;

function coordinates(lat, lng) {
  const point = [Number.parseFloat(lat.value), Number.parseFloat(lng.value)];
  return lat.value && lng.value && point.every(Number.isFinite) ? point : null;
}

function setUp(group) {
  const part = (name) => group.querySelector(`[data-journey-location="${name}"]`);
  const [lat, lng, status] = [part("lat"), part("lng"), part("status")];
  const [locate, centre, remove] = [part("locate"), part("centre"), part("remove")];
  const controls = group.querySelector(".journey-location__controls");
  const canLocate = "geolocation" in navigator;
  const canMap = typeof window.L === "object" && part("map") !== null;
  if (!controls || !lat || !lng || !status || !(canLocate || canMap)) return;
  controls.hidden = false;

  // Live regions announce changes: empty it first, so that the same message twice is heard twice.
  let announcing;
  const announce = (message) => {
    clearTimeout(announcing);
    status.textContent = "";
    announcing = setTimeout(() => {
      status.textContent = message;
    }, 100);
  };

  let map = null;
  let pin = null;
  // Leaflet's own marker, with its images named from {% static %}: Leaflet would guess their
  // address from its stylesheet, which fails once collectstatic has hashed the file names. It is
  // not a control of its own: the map and the buttons place and remove it.
  const pinOptions = () => ({
    icon: L.icon({
      iconUrl: group.dataset.icon,
      iconRetinaUrl: group.dataset.icon2x,
      shadowUrl: group.dataset.shadow,
      iconSize: [25, 41],
      iconAnchor: [12, 41],
      shadowSize: [41, 41],
    }),
    alt: group.dataset.pin,
    keyboard: false,
    interactive: false,
  });
  // point: [latitude, longitude].
  const setPoint = (point, { follow = false } = {}) => {
    lat.value = point[0].toFixed(6);
    lng.value = point[1].toFixed(6);
    if (!map) return;
    if (pin) pin.setLatLng(point);
    else pin = L.marker(point, pinOptions()).addTo(map);
    if (follow) map.setView(point, Math.max(map.getZoom(), POINT_ZOOM));
    remove.hidden = false;
  };

  if (canMap) {
    part("map-block").hidden = false;
    const [centreLat, centreLng] = group.dataset.centre.split(",").map(Number.parseFloat);
    map = L.map(part("map"), { zoomControl: false, attributionControl: false });
    L.control
      .zoom({ zoomInTitle: group.dataset.zoomIn, zoomOutTitle: group.dataset.zoomOut })
      .addTo(map);
    // A point chosen before (a saved draft, a page shown again with an error) opens the map.
    const saved = coordinates(lat, lng);
    if (saved) map.setView(saved, POINT_ZOOM);
    else map.setView([centreLat, centreLng], Number.parseInt(group.dataset.zoom, 10));

    // Without tiles (offline, or the tile server down) the map still takes a pin, but a resident
    // cannot see where it goes: say so while no tile has loaded.
    const tiles = L.tileLayer(group.dataset.tileUrl, { maxZoom: 19 });
    const tilesFailed = part("tiles-failed");
    let loaded = 0;
    tiles.on("tileload", () => {
      loaded += 1;
      tilesFailed.hidden = true;
    });
    tiles.on("tileerror", () => {
      if (loaded === 0) tilesFailed.hidden = false;
    });
    tiles.addTo(map);

    if (saved) setPoint(saved);

    // A map scrolled round the world gives longitudes past ±180: wrap() brings them back.
    const here = (latlng) => [latlng.wrap().lat, latlng.wrap().lng];
    map.on("click", (event) => {
      setPoint(here(event.latlng));
      announce(status.dataset.placed);
    });
    centre.hidden = false;
    centre.addEventListener("click", () => {
      setPoint(here(map.getCenter()));
      announce(status.dataset.placed);
    });
    remove.addEventListener("click", () => {
      lat.value = "";
      lng.value = "";
      if (pin) pin.remove();
      pin = null;
      remove.hidden = true;
      // The button pressed has gone: its neighbour keeps the keyboard's place.
      centre.focus();
      announce(status.dataset.removed);
    });
  }

  if (canLocate) {
    locate.hidden = false;
    locate.addEventListener("click", () => {
      announce(status.dataset.finding);
      navigator.geolocation.getCurrentPosition(
        (position) => {
          setPoint([position.coords.latitude, position.coords.longitude], { follow: true });
          announce(status.dataset.found);
        },
        () => announce(status.dataset.failed),
        { enableHighAccuracy: true, timeout: 15000 },
      );
    });
  }
}

for (const group of document.querySelectorAll('[data-module="journey-location"]')) {
  setUp(group);
}
