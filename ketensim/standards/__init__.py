"""The iWmo/iJw standards: releases, message catalogue, XML builders and XSD validation."""
