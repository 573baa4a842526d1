"""Where each of the 55 comuni is (its town hall, about; WGS84 degrees), and the great-circle
distance between two of them: matching people to a vacancy by how far they would travel.
Public transport is out of scope: a straight line is what is measured."""
from __future__ import annotations

import math

# comune -> (latitude, longitude), from the public ISTAT/OpenStreetMap positions of the town
# halls, rounded to about 100 m (Valsamoggia: Bazzano; Alto Reno Terme: Porretta Terme).
COORDINATES: dict[str, tuple[float, float]] = {
    "Alto Reno Terme": (44.157, 10.975), "Anzola dell'Emilia": (44.547, 11.196),
    "Argelato": (44.643, 11.349), "Baricella": (44.648, 11.535), "Bentivoglio": (44.636, 11.418),
    "Bologna": (44.494, 11.343), "Borgo Tossignano": (44.278, 11.589), "Budrio": (44.537, 11.534),
    "Calderara di Reno": (44.565, 11.272), "Camugnano": (44.169, 11.088),
    "Casalecchio di Reno": (44.476, 11.274), "Casalfiumanese": (44.299, 11.627),
    "Castel d'Aiano": (44.278, 10.998), "Castel del Rio": (44.213, 11.504),
    "Castel di Casio": (44.163, 11.036), "Castel Guelfo di Bologna": (44.431, 11.676),
    "Castel Maggiore": (44.577, 11.361), "Castel San Pietro Terme": (44.398, 11.589),
    "Castello d'Argile": (44.681, 11.296), "Castenaso": (44.508, 11.471),
    "Castiglione dei Pepoli": (44.143, 11.153), "Crevalcore": (44.721, 11.148), "Dozza": (44.358, 11.629),
    "Fontanelice": (44.259, 11.561), "Gaggio Montano": (44.198, 10.935), "Galliera": (44.745, 11.398),
    "Granarolo dell'Emilia": (44.552, 11.443), "Grizzana Morandi": (44.257, 11.148), "Imola": (44.353, 11.714),
    "Lizzano in Belvedere": (44.162, 10.893), "Loiano": (44.267, 11.324), "Malalbergo": (44.720, 11.533),
    "Marzabotto": (44.340, 11.206), "Medicina": (44.479, 11.637), "Minerbio": (44.624, 11.492),
    "Molinella": (44.618, 11.666), "Monghidoro": (44.224, 11.323), "Monte San Pietro": (44.434, 11.136),
    "Monterenzio": (44.333, 11.405), "Monzuno": (44.278, 11.266), "Mordano": (44.396, 11.809),
    "Ozzano dell'Emilia": (44.444, 11.476), "Pianoro": (44.386, 11.340), "Pieve di Cento": (44.713, 11.309),
    "Sala Bolognese": (44.631, 11.275), "San Benedetto Val di Sambro": (44.214, 11.234),
    "San Giorgio di Piano": (44.647, 11.380), "San Giovanni in Persiceto": (44.640, 11.185),
    "San Lazzaro di Savena": (44.471, 11.405), "San Pietro in Casale": (44.701, 11.405),
    "Sant'Agata Bolognese": (44.662, 11.134), "Sasso Marconi": (44.398, 11.253),
    "Valsamoggia": (44.503, 11.087), "Vergato": (44.284, 11.112), "Zola Predosa": (44.490, 11.218),
}
EARTH_KM = 6371.0


def distance_km(a: str, b: str) -> float | None:
    """Great-circle (haversine) distance between two comuni; None when either is unknown."""
    if a not in COORDINATES or b not in COORDINATES:
        return None
    (lat1, lon1), (lat2, lon2) = COORDINATES[a], COORDINATES[b]
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(math.sqrt(h))
