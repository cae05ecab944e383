"""Text utilities: normalisation, Chinese numbers and money, sentence splitting."""
