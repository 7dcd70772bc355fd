"""The pools people and applications are drawn from: surnames, names, birth places, services,
streets, towns and partner bodies of the Crema area (invented people, real place names).

Accented and two-word names (Nicolò, De Luca, D'Angelo, Dell'Acqua) are there on purpose:
they exercise encodings, the codice fiscale encoders and the letters.
"""

from __future__ import annotations


def _words(text: str) -> list[str]:
    return text.split()


SURNAMES = _words(
    "Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo Conti "
    "De_Luca Mancini Costa Giordano Rizzo Lombardi Moretti Barbieri Fontana Santoro Mariani "
    "Rinaldi Caruso Ferrara Galli Martini Leone Longo Gentile Martinelli Vitale Lombardo Serra "
    "Coppola De_Santis D'Angelo Marchetti Parisi Villa Conte Ferraro Ferri Fabbri Bianco "
    "Marini Grasso Valentini Messina Sala De_Angelis Gatti Pellegrini Palumbo Sanna Farina "
    "Rizzi Monti Cattaneo Morelli Amato Silvestri Mazza Testa Dell'Acqua Pellegrino Carbone "
    "Giuliani Benedetti Barone Rossetti Caputo Montanari Guerra Palmieri Bernardi Martino "
    "Fiore De_Rosa Ferretti Bellini Basile Riva Donati Piras Vitali Battaglia Sartori Neri "
    "Costantini Milani Pagano Ruggiero Sorrentino D'Amico Orlando Damico Negri Brambilla "
    "Cantù Bonizzi Arpini Zaninelli Vailati Severgnini Bombelli Tolasi Cerioli Guerini Bonetti "
    "Scotti Piloni Lupo_Stanghellini Nicolò Forlani Pagliari Mussi Spoldi Tadi Benzoni Agostino"
)
SURNAMES = [s.replace("_", " ") for s in SURNAMES]  # De_Luca: one surname, two words

MALE_NAMES = _words(
    "Francesco Alessandro Lorenzo Andrea Leonardo Mattia Gabriele Tommaso Riccardo Edoardo "
    "Matteo Giuseppe Antonio Federico Diego Davide Christian Nicolò Marco Samuele Pietro "
    "Filippo Luca Michele Simone Giovanni Emanuele Alessio Daniele Vincenzo Giacomo Niccolò "
    "Cristian Stefano Paolo Roberto Massimo Fabio Claudio Maurizio Sergio Giorgio Enrico "
    "Alberto Angelo Salvatore Mario Luigi Carlo Franco Nicola Ivan Omar Youssef Mohamed Alin "
    "Elia Jacopo Achille Ettore Noè"
)

FEMALE_NAMES = _words(
    "Sofia Giulia Aurora Alice Ginevra Emma Giorgia Greta Beatrice Anna Chiara Sara Nicole "
    "Ludovica Gaia Matilde Vittoria Noemi Francesca Alessia Martina Elisa Elena Federica "
    "Valentina Silvia Laura Paola Roberta Monica Barbara Cristina Simona Daniela "
    "Stefania Manuela Michela Ilaria Marta Irene Camilla Rebecca Bianca Arianna Viola Asia "
    "Maria Lucia Rosa Teresa Angela Fatima Andreea Ioana Zoe Desirée Nausicaa Licia Benedetta"
)

# (place, weight for applicants, weight for minors): municipalities and foreign countries
BIRTHPLACES = (
    ("Crema", 30, 55),
    ("Cremona", 12, 15),
    ("Lodi", 6, 8),
    ("Milano", 10, 10),
    ("Bergamo", 5, 4),
    ("Brescia", 4, 2),
    ("Piacenza", 3, 2),
    ("Treviglio", 3, 2),
    ("Napoli", 5, 0.5),
    ("Palermo", 4, 0.3),
    ("Bari", 3, 0.3),
    ("Roma", 3, 0.4),
    ("Romania", 3, 0.2),
    ("Albania", 2, 0.2),
    ("Marocco", 2, 0.1),
    ("India", 1, 0.1),
)

SERVICES = (
    "Pre e post scuola",
    "Centro estivo",
    "Servizi nei periodi di chiusura scolastica",
    "Attività ricreative",
    "Doposcuola",
)

STREETS = (
    "Via Roma",
    "Via Mazzini",
    "Via Garibaldi",
    "Via XX Settembre",
    "Via Cavour",
    "Viale Repubblica",
    "Via Dante",
    "Piazza Duomo",
    "Via Libertà",
    "Via Stazione",
    "Via Carlo Urbino",
    "Via Bottesini",
    "Via Mercato",
    "Largo Dossena",
    "Via Matteotti",
)

CITIES = (
    ("26013", "Crema"),
    ("26100", "Cremona"),
    ("26010", "Bagnolo Cremasco"),
    ("26017", "Pandino"),
    ("26027", "Rivolta d'Adda"),
    ("26012", "Castelleone"),
    ("26010", "Offanengo"),
    ("26019", "Vailate"),
    ("26900", "Lodi"),
    ("24047", "Treviglio"),
)

PARTNERS = (
    ("ASST", "ASST di Crema"),
    ("ATS", "ATS Val Padana"),
    ("COMUNE", "Comune di Crema"),
    ("COOP", "Cooperativa Sociale Il Sorriso"),
    ("AZIENDA", "Manifattura Cremasca S.r.l."),
    ("BANCA", "Banca di Credito Cremasco"),
    ("CASA", "Fondazione Casa di Riposo di Crema"),
    ("SCUOLA", "Istituto Comprensivo Crema Uno"),
)
