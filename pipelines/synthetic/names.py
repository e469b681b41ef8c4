"""Forename and surname lists by naming tradition, and the nicknames people give instead.

Lists are short but varied enough that records of different people rarely collide, and the
traditions follow London's ethnic mix so that linkage meets realistic name distributions.
Every name is encodable in Windows-1252 (court files are written in it).
"""

from __future__ import annotations

from functools import lru_cache

import polars as pl

_F, _M, _S = "female", "male", "surname"

NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "british": {
        _F: ("Olivia", "Amelia", "Emily", "Sophie", "Jessica", "Charlotte", "Lucy", "Hannah", "Rebecca", "Sarah",
             "Emma", "Laura", "Katherine", "Elizabeth", "Margaret", "Jennifer", "Victoria", "Samantha", "Abigail",
             "Patricia", "Susan", "Deborah", "Rachel", "Natalie", "Chloe", "Megan", "Joanne", "Alexandra"),
        _M: ("Oliver", "Harry", "George", "Jack", "Thomas", "James", "William", "Daniel", "Matthew", "Joseph",
             "Samuel", "Benjamin", "Christopher", "Michael", "Robert", "Richard", "Edward", "Anthony", "Andrew",
             "David", "Stephen", "Peter", "Jonathan", "Nicholas", "Alexander", "Timothy", "Liam", "Callum"),
        _S: ("Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson",
             "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes", "Green", "Hall",
             "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood", "Turner", "Martin", "Cooper", "Hill",
             "Ward", "Morris", "Moore", "Clark", "Baker", "Harrison", "King", "Campbell", "Campbell-Smith"),
    },
    "irish": {
        _F: ("Siobhan", "Aoife", "Niamh", "Ciara", "Roisin", "Mary", "Bridget", "Sinead", "Orla", "Grainne"),
        _M: ("Sean", "Patrick", "Liam", "Ciaran", "Declan", "Eoin", "Conor", "Padraig", "Kieran", "Brendan"),
        _S: ("Murphy", "Kelly", "O'Sullivan", "Walsh", "O'Brien", "Byrne", "Ryan", "O'Connor", "O'Neill",
             "Doyle", "McCarthy", "Gallagher", "Kennedy", "Lynch", "Quinn"),
    },
    "european": {
        _F: ("Anna", "Agnieszka", "Katarzyna", "Ioana", "Elena", "Maria", "Giulia", "Ana", "Sofia", "Marta",
             "Monika", "Andreea", "Chiara", "Ines", "Zofia", "Irina"),
        _M: ("Piotr", "Tomasz", "Andrei", "Alexandru", "Marco", "Luca", "Joao", "Pedro", "Mateusz", "Krzysztof",
             "Stefan", "Nikolai", "Giorgos", "Francesco", "Jakub", "Mihai"),
        _S: ("Kowalski", "Nowak", "Wisniewski", "Popescu", "Ionescu", "Rossi", "Russo", "Ferreira", "Silva",
             "Santos", "Garcia", "Fernandez", "Petrov", "Ivanova", "Lewandowski", "Dumitru", "Moretti",
             "Kazlauskas", "Horvath", "Papadopoulos"),
    },
    "indian": {
        _F: ("Priya", "Anjali", "Pooja", "Deepa", "Kavita", "Sunita", "Neha", "Meera", "Lakshmi", "Harpreet",
             "Simran", "Divya", "Nisha", "Anita"),
        _M: ("Rajesh", "Amit", "Sanjay", "Vikram", "Arjun", "Rahul", "Suresh", "Harjit", "Gurpreet", "Ravi",
             "Anil", "Kiran", "Nikhil", "Dev"),
        _S: ("Patel", "Shah", "Singh", "Sharma", "Kaur", "Gupta", "Mehta", "Desai", "Joshi", "Kumar", "Sandhu",
             "Gill", "Rao", "Iyer", "Naidu", "Pillai", "Sivakumar"),
    },
    "south_asian_muslim": {
        _F: ("Ayesha", "Fatima", "Sana", "Nadia", "Aisha", "Yasmin", "Shazia", "Rukhsana", "Tahmina", "Nasreen",
             "Farzana", "Sumaiya", "Hafsa", "Zara"),
        _M: ("Mohammed", "Muhammad", "Imran", "Ali", "Hassan", "Bilal", "Usman", "Abdul", "Rahim", "Shahid",
             "Tariq", "Faisal", "Kamran", "Zubair"),
        _S: ("Khan", "Ahmed", "Hussain", "Ali", "Rahman", "Begum", "Islam", "Uddin", "Miah", "Chowdhury",
             "Iqbal", "Malik", "Qureshi", "Butt", "Akhtar", "Hossain"),
    },
    "african": {
        _F: ("Blessing", "Chioma", "Ngozi", "Abena", "Ama", "Folake", "Funmilayo", "Grace", "Esther", "Amina",
             "Hodan", "Fadumo", "Precious", "Adaeze"),
        _M: ("Chukwuemeka", "Oluwaseun", "Kwame", "Kofi", "Emmanuel", "Samuel", "Tunde", "Adebayo", "Abdi",
             "Mohamed", "Yusuf", "Ikechukwu", "Femi", "Daniel"),
        _S: ("Okafor", "Adeyemi", "Mensah", "Owusu", "Boateng", "Okonkwo", "Adebayo", "Oyelaran", "Asante",
             "Nwosu", "Abdi", "Farah", "Hassan", "Osei", "Eze", "Ogunleye", "Bello"),
    },
    "chinese": {
        _F: ("Mei", "Li", "Xiu", "Ying", "Hui", "Lan", "Jing", "Wen"),
        _M: ("Wei", "Jun", "Hao", "Ming", "Jian", "Lei", "Chen", "Tao"),
        _S: ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Lin", "Chan", "Wong"),
    },
    "middle_eastern": {
        _F: ("Leila", "Mariam", "Noor", "Huda", "Rana", "Elif", "Zeynep", "Shirin", "Dalia", "Layla"),
        _M: ("Omar", "Ahmad", "Karim", "Mustafa", "Mehmet", "Emre", "Reza", "Samir", "Youssef", "Ibrahim"),
        _S: ("Al-Sayed", "Haddad", "Nasser", "Yilmaz", "Demir", "Kaya", "Hosseini", "Karimi", "Mansour",
             "Aziz", "Rashid", "Saleh"),
    },
}

TRADITION_OF_ETHNICITY = {
    "W1": "british", "W2": "irish", "W9": "european", "M1": "british", "M2": "african", "M3": "indian",
    "M9": "british", "A1": "indian", "A2": "south_asian_muslim", "A3": "south_asian_muslim", "A9": "indian",
    "B1": "british", "B2": "african", "B9": "african", "O1": "chinese", "O9": "middle_eastern", "NS": "british",
}

NICKNAMES = {
    "William": "Bill", "Robert": "Bob", "Richard": "Dick", "Edward": "Ted", "Anthony": "Tony",
    "Andrew": "Andy", "Christopher": "Chris", "Michael": "Mike", "Daniel": "Dan", "Matthew": "Matt",
    "Joseph": "Joe", "Samuel": "Sam", "Benjamin": "Ben", "Thomas": "Tom", "James": "Jim", "David": "Dave",
    "Stephen": "Steve", "Peter": "Pete", "Jonathan": "Jon", "Nicholas": "Nick", "Alexander": "Alex",
    "Timothy": "Tim", "Elizabeth": "Liz", "Margaret": "Maggie", "Jennifer": "Jenny", "Katherine": "Kate",
    "Victoria": "Vicky", "Samantha": "Sam", "Rebecca": "Becky", "Patricia": "Pat", "Susan": "Sue",
    "Deborah": "Debbie", "Abigail": "Abby", "Alexandra": "Alex", "Jessica": "Jess", "Charlotte": "Lottie",
    "Natalie": "Nat", "Joanne": "Jo", "Olivia": "Liv", "Patrick": "Paddy", "Mohammed": "Mo",
    "Muhammad": "Mo", "Emmanuel": "Manny", "Oluwaseun": "Seun", "Chukwuemeka": "Emeka",
    "Katarzyna": "Kasia", "Alexandru": "Alex", "Krzysztof": "Kris", "Giorgos": "George", "Mateusz": "Matt",
}


@lru_cache(maxsize=1)
def name_table() -> pl.DataFrame:
    """tradition, kind (female/male/surname), index, name: one row per list entry."""
    rows = [
        (tradition, kind, i, name)
        for tradition, lists in NAMES.items()
        for kind, names in lists.items()
        for i, name in enumerate(names)
    ]
    return pl.DataFrame(rows, schema=["tradition", "kind", "index", "name"], orient="row").with_columns(
        pl.col("index").cast(pl.Int64)
    )


@lru_cache(maxsize=1)
def list_sizes() -> pl.DataFrame:
    return name_table().group_by("tradition", "kind").agg(size=pl.len().cast(pl.Int64))
