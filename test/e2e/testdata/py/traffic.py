"""Traffic messages like the workshop's traffic-message-service returns
(seed 000), shared by the producer scripts."""
import datetime
import random

CARS = [
    ("BMW", "7 series"), ("Renault", "Twingo"), ("Renault", "Talisman"),
    ("Volkswagen", "Polo"), ("Volvo", "V90"), ("SKODA", "Octavia"),
    ("Toyota", "Yaris"), ("Citroen", "C4"), ("Mercedes", "A-Klasse"),
]
COLORS = ["black", "green", "white", "red", "blue", "grey"]
COUNTRIES = ["NL", "BE", "DE", "FR"]
ROADS = [("A12", 52.0604741, 5.100614), ("A2", 52.1009166, 5.0457458), ("A28", 52.2047302, 5.3857013)]


def licenseplate():
    letters = "BDFGHJKLNPRSTVXZ"
    patterns = [
        lambda: "%s-%02d-%02d" % ("".join(random.choice(letters) for _ in range(2)), random.randint(0, 99), random.randint(0, 99)),
        lambda: "%02d-%02d-%s" % (random.randint(0, 99), random.randint(0, 99), "".join(random.choice(letters) for _ in range(2))),
        lambda: "%d-%s-%02d" % (random.randint(1, 9), "".join(random.choice(letters) for _ in range(3)), random.randint(0, 99)),
    ]
    return random.choice(patterns)()


def traffic_message():
    manufacturer, model = random.choice(CARS)
    road, latitude, longitude = random.choice(ROADS)
    return {
        "color": random.choice(COLORS),
        "licenseplate": licenseplate(),
        "manufacturer": manufacturer,
        "model": model,
        "latitude": latitude,
        "longitude": longitude,
        "roadNumber": road,
        "speed": random.randint(60, 160),
        "country": random.choice(COUNTRIES),
        "timestamp": datetime.datetime.now().isoformat(),
    }
