"""The iWmo/iJw standards: releases, message catalogue, XML builders, XSD validation and the business rules."""
