"""huiqi (惠企): reads industrial-policy documents and turns them into data that pays enterprises."""

__version__ = "0.1.0"
